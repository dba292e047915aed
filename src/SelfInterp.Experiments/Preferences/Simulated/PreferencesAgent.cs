using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Random;
using SelfInterp.Core.Tasks;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Preferences.Tasks;

namespace SelfInterp.Experiments.Preferences.Simulated;

/// <summary>
/// The preferences experiment's ideal observer, honest about what it is: its base model holds random native
/// weights for every scenario; "fine-tuning" on decisions fits each scenario's weights by regularised logistic
/// regression on the examples; it chooses by its weights with logistic noise and reports its weights plus
/// Gaussian noise, which introspection training shrinks.
/// </summary>
public sealed class PreferencesAgent(ScenarioCatalog catalog, SimulatedOptions options, ulong nativeSeed) : ISimulatedAgent
{
    public string Name => "preferences";
    public IReadOnlyCollection<Type> Tasks { get; } = [typeof(AttributeChoiceTask), typeof(WeightReportTask)];

    /// <summary>Training on reports sharpens reports; training on choices fits the choices' weights.</summary>
    public string Kind(IReadOnlyList<ModelTask> tasks) => tasks.All(t => t is WeightReportTask) ? "Reports" : "Decisions";

    public JsonNode Learn(SimulatedLineage parent, IReadOnlyList<(ModelTask Task, string Answer)> examples, CancellationToken ct)
    {
        double noise = ReportNoiseOf(parent);
        var state = new PreferencesState { ReportNoise = noise };
        if (examples.All(e => e.Task is WeightReportTask))
            state.ReportNoise = noise * options.ItrainingNoiseFactor;
        else
            foreach (var group in examples.Select(e => (e.Answer, Task: Choice(e.Task))).GroupBy(x => x.Task.Scenario).OrderBy(g => g.Key))
            {
                ct.ThrowIfCancellationRequested();
                var scenario = catalog.Scenarios[group.Key];
                var x = group.Select(e => Differences(scenario, e.Task.Trial)).ToList();
                var y = group.Select(e => e.Answer.Trim() == "A").ToList();
                state.Weights[group.Key] = Weights.ScaleToHundred(LogisticFit.Fit(x, y, options.PriorScale)).Select(w => (double)w).ToArray();
            }
        return JsonSerializer.SerializeToNode(state)!;
    }

    public double ProbabilityA(SimulatedLineage model, ModelTask task)
    {
        var choice = Choice(task);
        return ProbabilityA(catalog.Scenarios[choice.Scenario], WeightsOf(model, choice.Scenario), choice.Trial, options.ChoiceNoise);
    }

    /// <summary>P(A) of an observer choosing by <paramref name="weights"/> with logistic noise of scale <paramref name="noise"/>.</summary>
    public static double ProbabilityA(Scenario scenario, double[] weights, Trial trial, double noise)
    {
        var d = Differences(scenario, trial);
        double du = 0;
        for (int i = 0; i < d.Length; i++) du += weights[i] * d[i];
        return 1 / (1 + Numerics.DeterministicMath.Exp(-du / Math.Max(noise, 1e-9)));
    }

    public TaskAnswer Answer(SimulatedLineage model, ModelTask task, SeededStream rng)
    {
        var report = (WeightReportTask)task;
        double noise = ReportNoiseOf(model);
        var w = WeightsOf(model, report.Scenario);
        return new WeightsAnswer(w.Select(x => (double)(int)Math.Clamp(Math.Round(x + noise * rng.NextGaussian()), -100, 100)).ToArray());
    }

    /// <summary>The weights a model holds for a scenario: its own, an ancestor's, or the base model's native ones.</summary>
    public double[] WeightsOf(SimulatedLineage model, int scenario) =>
        model.States<PreferencesState>(Name).Select(s => s.Weights.GetValueOrDefault(scenario)).FirstOrDefault(w => w is not null)
        ?? Weights.Draw(SeededStream.Derive(nativeSeed, $"native_weights:{scenario}")).Select(x => (double)x).ToArray();

    /// <summary>The s.d. of a model's report noise: the base model's <see cref="SimulatedOptions.ReportNoise"/>, shrunk by
    /// each introspection training on the way.</summary>
    public double ReportNoiseOf(SimulatedLineage model) => model.Nearest<PreferencesState>(Name)?.ReportNoise ?? options.ReportNoise;

    /// <summary>A choice's scenario and trial: a report task shows a trial too, but is not a choice.</summary>
    private static AttributeChoiceTask Choice(ModelTask task) => task as AttributeChoiceTask
        ?? throw new Core.Runs.UsageException($"simulated backend: a {task.GetType().Name} where a choice was expected");

    /// <summary>The normalised differences (A − B) / range of a trial.</summary>
    public static double[] Differences(Scenario s, Trial t)
    {
        var d = new double[Scenario.AttributeCount];
        for (int i = 0; i < d.Length; i++) d[i] = (t.A[i] - t.B[i]) / s.Attributes[i].Range;
        return d;
    }
}

/// <summary>What the preferences agent learnt: weights per scenario fine-tuned on, and its report noise.</summary>
public sealed class PreferencesState
{
    [JsonPropertyName("report_noise")] public double ReportNoise { get; set; }
    [JsonPropertyName("weights")] public SortedDictionary<int, double[]> Weights { get; set; } = new();
}
