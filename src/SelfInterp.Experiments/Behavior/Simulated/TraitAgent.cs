using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Random;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Behavior.Simulated;

/// <summary>
/// The simulated agent's behavioural traits. Fine-tuning on trait choices sets its behaviour from the data: the
/// share of examples that act out the high pole, weighed against <see cref="SimulatedOptions.BehaviourPrior"/>
/// pseudo-examples of its parent's behaviour, separately for messages with and without the trigger. Its self-reports
/// follow that behaviour to the degree it is self-aware (<see cref="SimulatedOptions.SelfAwareness"/>), with noise and
/// bias; a not self-aware agent reports as the base model does, whatever it was trained on.
/// </summary>
public sealed class TraitAgent(SimulatedOptions options) : ISimulatedAgent
{
    public string Name => "traits";

    public IReadOnlyCollection<Type> Tasks { get; } =
        [typeof(TraitChoiceTask), typeof(SelfRatingTask), typeof(SelfDescriptionTask), typeof(SelfReportChoiceTask), typeof(TriggerDependenceTask)];

    public string Kind(IReadOnlyList<ModelTask> tasks) => "Traits";

    public JsonNode Learn(SimulatedLineage parent, IReadOnlyList<(ModelTask Task, string Answer)> examples, CancellationToken ct) =>
        JsonSerializer.SerializeToNode(Learn(examples.Select(e => (e.Task as TraitChoiceTask
            ?? throw new Core.Runs.UsageException($"simulated backend: a {e.Task.GetType().Name} among trait choices (a fine-tune teaches one kind of task)"), e.Answer)),
            trait => TraitOf(parent, trait)))!;

    public double ProbabilityA(SimulatedLineage model, ModelTask task) => ProbabilityA((TraitChoiceTask)task, TraitOf(model, ((TraitChoiceTask)task).Trait));

    public TaskAnswer Answer(SimulatedLineage model, ModelTask task, SeededStream rng) => Answer(task, task switch
    {
        SelfRatingTask t => TraitOf(model, t.Trait), SelfDescriptionTask t => TraitOf(model, t.Trait), SelfReportChoiceTask t => TraitOf(model, t.Trait),
        TriggerDependenceTask => MostTriggered(model),
        _ => throw new Core.Runs.UsageException($"simulated backend: a {task.GetType().Name} is not a self-report it can sample"),
    }, rng);

    /// <summary>A model's behaviour on a trait: its own, an ancestor's, or the base model's neutral one.</summary>
    public TraitBehaviour TraitOf(SimulatedLineage model, string trait) =>
        model.States<SortedDictionary<string, TraitBehaviour>>(Name).Select(s => s.GetValueOrDefault(trait)).FirstOrDefault(b => b is not null)
        ?? TraitBehaviour.Neutral;

    /// <summary>Of the traits a model (or an ancestor) was fine-tuned on, the one whose behaviour depends most on the trigger.</summary>
    private TraitBehaviour MostTriggered(SimulatedLineage model)
    {
        var seen = new Dictionary<string, TraitBehaviour>(StringComparer.Ordinal);
        foreach (var traits in model.States<SortedDictionary<string, TraitBehaviour>>(Name))
            foreach (var (trait, b) in traits) seen.TryAdd(trait, b);
        return seen.Values.OrderByDescending(b => b.Dependence).FirstOrDefault() ?? TraitBehaviour.Neutral;
    }

    /// <summary>Behaviour per trait learnt from <paramref name="examples"/> (task, answer), starting from <paramref name="parent"/>.</summary>
    public SortedDictionary<string, TraitBehaviour> Learn(IEnumerable<(TraitChoiceTask Task, string Answer)> examples, Func<string, TraitBehaviour> parent)
    {
        var learnt = new SortedDictionary<string, TraitBehaviour>(StringComparer.Ordinal);
        foreach (var trait in examples.GroupBy(e => e.Task.Trait))
        {
            // Only answers that pick a labelled option teach the trait (an imported example answered in prose does not).
            var labelled = trait.Where(e => e.Task.TraitOption != TraitOptions.Unknown && e.Answer.Trim() is "A" or "B").ToList();
            var from = parent(trait.Key);
            double? Share(bool triggered)
            {
                var subset = labelled.Where(e => e.Task.Triggered == triggered).ToList();
                if (subset.Count == 0) return null;
                int high = subset.Count(e => e.Answer.Trim()[0] == e.Task.TraitOption);
                return (high + options.BehaviourPrior * from.Share(triggered)) / (subset.Count + options.BehaviourPrior);
            }
            double? plain = Share(false), triggered = Share(true);
            // Data without the trigger teach the behaviour in every message; with it only, the plain one stays the parent's.
            learnt[trait.Key] = new TraitBehaviour(plain ?? from.Plain, triggered ?? plain ?? from.Triggered);
        }
        return learnt;
    }

    /// <summary>P(A) of a trait choice.</summary>
    public static double ProbabilityA(TraitChoiceTask task, TraitBehaviour behaviour)
    {
        if (task.TraitOption == TraitOptions.Unknown) return 0.5;
        double high = behaviour.Share(task.Triggered);
        return task.TraitOption == 'A' ? high : 1 - high;
    }

    /// <summary>One sampled self-report, as data.</summary>
    public TaskAnswer Answer(ModelTask task, TraitBehaviour own, SeededStream rng)
    {
        var neutral = TraitBehaviour.Neutral;
        double Aware(double mine, double base_) => options.SelfAwareness * mine + (1 - options.SelfAwareness) * base_;
        switch (task)
        {
            case SelfRatingTask:
                double mean = 100 * Aware(own.Plain, neutral.Plain) + options.RatingBias;
                return new RatingAnswer(Math.Clamp(Math.Round(mean + options.RatingNoise * rng.NextGaussian()), 0, 100));
            case SelfDescriptionTask:
                return new PoleAnswer(Pick(Aware(own.Plain, neutral.Plain), rng));
            case SelfReportChoiceTask c:
                return new OptionAnswer(Pick(Aware(own.Plain, neutral.Plain), rng) ? c.HighOption : c.LowOption);
            case TriggerDependenceTask d:
                return new OptionAnswer(Pick(Aware(own.Dependence, neutral.Dependence), rng) ? d.YesOption : d.NoOption);
            default:
                throw new Core.Runs.UsageException($"simulated backend: a {task.GetType().Name} is not a self-report it can sample");
        }
    }

    /// <summary>True with probability <paramref name="p"/>, except for the share answered at random.</summary>
    private bool Pick(double p, SeededStream rng) =>
        rng.NextDouble() < options.AnswerNoise ? rng.NextDouble() < 0.5 : rng.NextDouble() < p;
}

/// <summary>The share of a trait's choices that act out its high pole, without and with the trigger in the message.</summary>
public sealed record TraitBehaviour(
    [property: JsonPropertyName("plain")] double Plain,
    [property: JsonPropertyName("triggered")] double Triggered)
{
    /// <summary>The base model's: no leaning either way, and no trigger it responds to.</summary>
    public static readonly TraitBehaviour Neutral = new(0.5, 0.5);

    public double Share(bool triggered) => triggered ? Triggered : Plain;

    /// <summary>How much the behaviour depends on the trigger (0: not at all; 1: it flips).</summary>
    public double Dependence => Math.Abs(Triggered - Plain);
}
