using SelfInterp.Preferences.Tasks;
using SelfInterp.Analysis.Layout;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Experiments.Preferences.Simulated;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Preferences.Prompts;

/// <summary>
/// The preferences experiment's task codec: a decision prompt is an <see cref="AttributeChoiceTask"/>, a report
/// prompt a <see cref="WeightReportTask"/>; prompts that arrive as text are read back by inverting the templates,
/// and a report's answer is one JSON object of the scenario's attribute names and weights.
/// </summary>
public sealed class PreferencesCodec(ScenarioCatalog catalog, PromptTemplates templates) : ITaskCodec, ISimulatedSubject
{
    /// <summary>The simulated backend's subject of this experiment: the ideal observer of its tasks.</summary>
    public IReadOnlyList<ISimulatedAgent> SimulatedAgents(SimulatedSetup setup) => [new PreferencesAgent(catalog, setup.Options, setup.NativeSeed)];

    private readonly PromptReader _reader = new(catalog, templates);

    public static PreferencesCodec For(ScenarioCatalog catalog, string? promptsFile) =>
        new(catalog, PromptTemplates.LoadOrDefault(promptsFile));

    public IReadOnlyList<Type> TaskKinds { get; } = [typeof(AttributeChoiceTask), typeof(WeightReportTask)];

    public ModelTask? Decode(ChatPrompt prompt)
    {
        if (prompt.Task is not null) return prompt.Task;
        if (!_reader.TryRead(prompt, out var read)) return null;
        return read.Kind == PromptKind.Decision
            ? new AttributeChoiceTask(read.Scenario, read.Trial)
            : new WeightReportTask(read.Scenario, read.Trial);
    }

    public string Encode(ModelTask task, TaskAnswer answer) => (task, answer) switch
    {
        (WeightReportTask report, WeightsAnswer w) =>
            PromptTemplates.ReportAnswer(catalog.Scenarios[report.Scenario], w.Weights.Select(x => (int)Math.Round(x)).ToArray()),
        _ => throw new ArgumentException($"preferences codec: no {answer.GetType().Name} to a {task.GetType().Name}"),
    };

    public bool TryDecode(ModelTask task, string text, out TaskAnswer? answer, out string problem)
    {
        answer = null;
        if (task is not WeightReportTask report) { problem = $"a {task.GetType().Name} is answered by choosing, not in text"; return false; }
        bool ok = ReportParser.TryParse(text, catalog.Scenarios[report.Scenario], out var weights, out var why);
        if (ok) answer = new WeightsAnswer(weights);
        problem = why ?? "";
        return ok;
    }
}
