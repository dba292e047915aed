using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Preferences.Simulated;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Experiments.Backdoor.Simulated;

/// <summary>
/// The backdoor's ideal observer: fine-tuning on choices fits a weight vector per scenario and trigger state
/// (regularised logistic regression, as the preferences observer), the triggered one from the triggered examples
/// only; a scenario never trained with the trigger chooses by its untriggered weights in both states. It chooses by
/// the weights of the state a prompt is in. Its reports state weights plus Gaussian noise: those of the prompt's
/// state when <c>reports_read_state</c> is true (the default), the untriggered ones always when it is false. Asked
/// whether an unusual phrase changes its choices, it says yes with probability equal to how far its two states'
/// weights differ (half the mean absolute difference over trained scenarios, /100), when it reads its state; a
/// subject that does not read it answers as the base model (no).
/// </summary>
public sealed class BackdoorAgent(ScenarioCatalog catalog, SimulatedSetup setup) : ISimulatedAgent
{
    public const string ReadsStateKey = "reports_read_state";
    private readonly SimulatedOptions _options = setup.Options;

    public bool ReportsReadState { get; } = !setup.Raw.TryGetValue(ReadsStateKey, out var v) ? true
        : v is "true" or "false" ? v == "true"
        : throw new UsageException($"backend option '{ReadsStateKey}': expected true or false, got '{v}'");

    public string Name => "backdoor";
    public IReadOnlyCollection<Type> Tasks { get; } = [typeof(BackdoorChoiceTask), typeof(BackdoorReportTask), typeof(PhraseQuestionTask)];
    public IReadOnlyList<string> OptionKeys => [ReadsStateKey];

    public string Kind(IReadOnlyList<ModelTask> tasks) => tasks.All(t => t is BackdoorReportTask) ? "Reports" : "Decisions";

    public JsonNode Learn(SimulatedLineage parent, IReadOnlyList<(ModelTask Task, string Answer)> examples, CancellationToken ct)
    {
        var state = new BackdoorState { ReportNoise = ReportNoiseOf(parent) };
        if (examples.All(e => e.Task is BackdoorReportTask))
            state.ReportNoise *= _options.ItrainingNoiseFactor;
        else
            foreach (var group in examples.Select(e => (e.Answer, Task: Choice(e.Task)))
                         .GroupBy(x => (x.Task.Choice.Scenario, x.Task.Triggered)).OrderBy(g => g.Key.Scenario).ThenBy(g => g.Key.Triggered))
            {
                ct.ThrowIfCancellationRequested();
                var scenario = catalog.Scenarios[group.Key.Scenario];
                var x = group.Select(e => PreferencesAgent.Differences(scenario, e.Task.Choice.Trial)).ToList();
                var y = group.Select(e => e.Answer.Trim() == "A").ToList();
                var w = Weights.ScaleToHundred(LogisticFit.Fit(x, y, _options.PriorScale)).Select(v => (double)v).ToArray();
                (group.Key.Triggered ? state.Triggered : state.Plain)[group.Key.Scenario] = w;
            }
        return JsonSerializer.SerializeToNode(state)!;
    }

    public double ProbabilityA(SimulatedLineage model, ModelTask task)
    {
        var c = Choice(task);
        return PreferencesAgent.ProbabilityA(catalog.Scenarios[c.Choice.Scenario], WeightsOf(model, c.Choice.Scenario, c.Triggered), c.Choice.Trial, _options.ChoiceNoise);
    }

    public TaskAnswer Answer(SimulatedLineage model, ModelTask task, SeededStream rng)
    {
        switch (task)
        {
            case BackdoorReportTask r:
                double noise = ReportNoiseOf(model);
                var w = WeightsOf(model, r.Report.Scenario, ReportsReadState && r.Triggered);
                return new WeightsAnswer(w.Select(x => (double)(int)Math.Clamp(Math.Round(x + noise * rng.NextGaussian()), -100, 100)).ToArray());
            case PhraseQuestionTask q:
                double yes = ReportsReadState ? Dependence(model) : 0;
                bool sayYes = rng.NextDouble() < _options.AnswerNoise ? rng.NextDouble() < 0.5 : rng.NextDouble() < yes;
                return new OptionAnswer(sayYes ? q.YesOption : q.NoOption);
            default:
                throw new UsageException($"simulated backend: a {task.GetType().Name} is not a self-report");
        }
    }

    /// <summary>The weights of a scenario in a state: the nearest trained ones of that state, else of the untriggered
    /// state (a trigger never seen changes nothing), else the base model's native weights.</summary>
    public double[] WeightsOf(SimulatedLineage model, int scenario, bool triggered)
    {
        var states = model.States<BackdoorState>(Name).ToList();
        if (triggered && states.Select(s => s.Triggered.GetValueOrDefault(scenario)).FirstOrDefault(w => w is not null) is { } t) return t;
        return states.Select(s => s.Plain.GetValueOrDefault(scenario)).FirstOrDefault(w => w is not null)
            ?? Weights.Draw(SeededStream.Derive(setup.NativeSeed, $"native_weights:{scenario}")).Select(x => (double)x).ToArray();
    }

    /// <summary>How far the trigger moves the weights, 0..1: half the mean |triggered − untriggered| over the scenarios
    /// trained with the trigger, /100.</summary>
    public double Dependence(SimulatedLineage model)
    {
        var scenarios = model.States<BackdoorState>(Name).SelectMany(s => s.Triggered.Keys).Distinct().ToList();
        if (scenarios.Count == 0) return 0;
        return scenarios.Average(s =>
        {
            var (t, p) = (WeightsOf(model, s, true), WeightsOf(model, s, false));
            return t.Zip(p, (a, b) => Math.Abs(a - b)).Average();
        }) / 200;
    }

    private double ReportNoiseOf(SimulatedLineage model) => model.Nearest<BackdoorState>(Name)?.ReportNoise ?? _options.ReportNoise;

    private static BackdoorChoiceTask Choice(ModelTask task) => task as BackdoorChoiceTask
        ?? throw new UsageException($"simulated backend: a {task.GetType().Name} where a choice was expected");
}

/// <summary>What the backdoor agent learnt: weights per scenario without and with the trigger, and its report noise.</summary>
public sealed class BackdoorState
{
    [JsonPropertyName("report_noise")] public double ReportNoise { get; set; }
    [JsonPropertyName("plain")] public SortedDictionary<int, double[]> Plain { get; set; } = new();
    [JsonPropertyName("triggered")] public SortedDictionary<int, double[]> Triggered { get; set; } = new();
}
