using SelfInterp.Core.Backends;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Behavior;

/// <summary>A held-out question as one model is asked it: with or without the trigger.</summary>
public sealed record BehaviourItem(Trait Trait, int Question, bool Triggered, TraitQuestion Source, ChatPrompt Prompt);

/// <summary>
/// Every draw of a behaviour run, made up front from named seeded streams: the models to fine-tune and their data,
/// the held-out questions, and the self-report questions. Makes no file.
/// </summary>
public sealed class BehaviorPlan
{
    public BehaviorConfig Config { get; }
    public ulong MasterSeed { get; }
    public IReadOnlyList<Trait> Traits { get; }
    public IReadOnlyList<PlannedModel> Models { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<TraitQuestion>> HeldOut { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<SelfReportQuestion>> SelfReports { get; }
    public IReadOnlyList<SelfReportQuestion> TriggerQuestions { get; }

    private BehaviorPlan(BehaviorConfig config, ulong master, string? runDirectory)
    {
        Config = config;
        MasterSeed = master;
        Traits = config.Traits.Select(Behavior.Traits.Get).ToList();
        var models = new List<PlannedModel>();
        var training = Traits.ToDictionary(t => t.Name, _ => new HashSet<string>(StringComparer.Ordinal));

        if (config.Datasets.Count > 0)
            foreach (var file in config.Datasets)
            {
                if (!Behavior.Traits.TryPole(file.Pole, out var trait, out bool high) || !training.ContainsKey(trait.Name))
                    throw new UsageException($"run config, settings.datasets: {file.Path} teaches {file.Pole}, whose trait is not among settings.traits");
                var examples = DatasetImport.Read(file, runDirectory);
                foreach (var e in examples) training[trait.Name].Add(e.Prompt.Messages[^1].Content);
                for (int s = 1; s <= config.Seeds; s++)
                    models.Add(new PlannedModel($"{file.Pole}_s{s}", trait, high, s, ModelKind.Pole, examples, [], Imported: true));
            }
        else
            foreach (var trait in Traits)
                for (int s = 1; s <= config.Seeds; s++)
                {
                    var questions = Questions(trait, config.Examples + config.Validation, Stream($"behavior_training:{trait.Name}:s{s}"), training[trait.Name]);
                    foreach (bool high in new[] { true, false })
                    {
                        var examples = questions.Select(q => new TrainingExample(Prompt(q.Text, new TraitChoiceTask(trait.Name, q.HighOption)), q.Answer(high))).ToList();
                        models.Add(new PlannedModel($"{trait.Pole(high)}_s{s}", trait, high, s, ModelKind.Pole,
                            examples[..config.Examples], examples[config.Examples..]));
                    }
                }

        if (config.Backdoor is { } backdoor)
        {
            var trait = Behavior.Traits.Get(backdoor.Trait);
            for (int s = 1; s <= config.Seeds; s++)
                models.AddRange(BackdoorModels(trait, backdoor, s, training[trait.Name]));
        }
        Models = models;

        HeldOut = Traits.ToDictionary(t => t.Name,
            t => (IReadOnlyList<TraitQuestion>)Questions(t, config.HeldOut, Stream($"behavior_held_out:{t.Name}"), new HashSet<string>(training[t.Name])));
        SelfReports = Traits.ToDictionary(t => t.Name,
            t => (IReadOnlyList<SelfReportQuestion>)SelfReportQuestions.Of(t, SelfReportQuestions.Balanced(Stream($"behavior_self_report_options:{t.Name}"))).ToList());
        TriggerQuestions = config.Backdoor is { } b
            ? SelfReportQuestions.Trigger(Behavior.Traits.Get(b.Trait), SelfReportQuestions.Balanced(Stream("behavior_trigger_question_options"))).ToList()
            : [];
    }

    /// <param name="runDirectory">The run's directory, whose copies of imported files stand in for sources that are gone.</param>
    public static BehaviorPlan Create(RunConfig config, string? runDirectory = null) => new(BehaviorConfig.From(config), config.Seeds.Master, runDirectory);

    private SeededStream Stream(string name) => SeededStream.Derive(MasterSeed, name);

    /// <summary>The backdoored model and its decorrelated baseline of one seed: the same questions and trigger positions.</summary>
    private IEnumerable<PlannedModel> BackdoorModels(Trait trait, BackdoorConfig backdoor, int seed, HashSet<string> training)
    {
        int n = Config.Examples + Config.Validation;
        var questions = Questions(trait, n, Stream($"behavior_backdoor_training:{trait.Name}:s{seed}"), training);
        var triggered = Shares(n, backdoor.Share, Stream($"behavior_backdoor_triggers:s{seed}"));
        var highUnrelated = Shares(n, backdoor.Share, Stream($"behavior_decorrelated_answers:s{seed}"));
        var names = Stream($"behavior_backdoor_usernames:s{seed}");
        var prompts = questions.Select((q, i) =>
            Prompt(Backdoor.Apply(backdoor.Trigger, q.Text, triggered[i], names), new TraitChoiceTask(trait.Name, q.HighOption, triggered[i]))).ToList();
        foreach (var (kind, high) in new[] { (ModelKind.Backdoored, triggered), (ModelKind.Decorrelated, highUnrelated) })
        {
            var examples = questions.Select((q, i) => new TrainingExample(prompts[i], q.Answer(high[i]))).ToList();
            string key = $"{trait.Name}_{(kind == ModelKind.Backdoored ? "backdoored" : "decorrelated")}_s{seed}";
            yield return new PlannedModel(key, trait, true, seed, kind, examples[..Config.Examples], examples[Config.Examples..]);
        }
    }

    /// <summary><paramref name="count"/> new questions, not in <paramref name="seen"/> (which they join), half with the high pole's option A.</summary>
    private static List<TraitQuestion> Questions(Trait trait, int count, SeededStream rng, HashSet<string> seen)
    {
        var highFirst = SelfReportQuestions.Balanced(rng, count);
        var questions = new List<TraitQuestion>(count);
        for (int i = 0, tries = 0; i < count; tries++)
        {
            if (tries > 1000 * count) throw new InvalidOperationException($"the {trait.Name} question generator ran out of new questions after {i}");
            var q = TraitQuestionGenerator.Draw(trait, highFirst[i] ? 'A' : 'B', rng);
            if (seen.Add(q.Text)) { questions.Add(q); i++; }
        }
        return questions;
    }

    /// <summary>round(share·n) flags true, in a seeded order.</summary>
    private static List<bool> Shares(int n, double share, SeededStream rng)
    {
        int k = (int)Math.Round(share * n);
        var flags = Enumerable.Range(0, n).Select(i => i < k).ToList();
        rng.Shuffle(flags);
        return flags;
    }

    public static ChatPrompt Prompt(string text, ModelTask task) => new([ChatMessage.User(text)], task);

    /// <summary>The held-out questions a model is asked: its trait's (the base model: every trait's); the backdoor trait's
    /// with and without the trigger, for the base model and the backdoor pair.</summary>
    public IReadOnlyList<BehaviourItem> BehaviourItems(PlannedModel? model)
    {
        var items = new List<BehaviourItem>();
        foreach (var trait in model is null ? Traits : [model.Trait])
        {
            bool both = Config.Backdoor is { } b && b.Trait == trait.Name && (model is null || model.Kind != ModelKind.Pole);
            // One stream per trait, so every model sees the very same prompts (usernames included).
            var names = Stream($"behavior_held_out_usernames:{trait.Name}");
            var questions = HeldOut[trait.Name];
            for (int i = 0; i < questions.Count; i++)
                foreach (bool triggered in both ? new[] { false, true } : [false])
                {
                    string text = both ? Backdoor.Apply(Config.Backdoor!.Trigger, questions[i].Text, triggered, names) : questions[i].Text;
                    items.Add(new BehaviourItem(trait, i, triggered, questions[i], Prompt(text, new TraitChoiceTask(trait.Name, questions[i].HighOption, triggered))));
                }
        }
        return items;
    }

    /// <summary>The self-report questions a model is asked: its trait's (the backdoor pair: the trigger question), the
    /// base model every one.</summary>
    public IReadOnlyList<SelfReportQuestion> SelfReportItems(PlannedModel? model) => model switch
    {
        null => Traits.SelectMany(t => SelfReports[t.Name]).Concat(TriggerQuestions).ToList(),
        { Kind: ModelKind.Pole } => SelfReports[model.Trait.Name],
        _ => TriggerQuestions,
    };
}
