using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Catalog;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Preferences.Prompts;

/// <summary>
/// The preferences experiment's task codec: a decision prompt is an <see cref="AttributeChoiceTask"/>, a report
/// prompt a <see cref="WeightReportTask"/>; prompts that arrive as text are read back by inverting the templates,
/// and a report's answer is one JSON object of the scenario's attribute names and weights.
/// </summary>
public sealed class PreferencesCodec(ScenarioCatalog catalog, PromptTemplates templates) : ITaskCodec
{
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

    public string EncodeWeights(WeightReportTask task, IReadOnlyList<int> weights) =>
        PromptTemplates.ReportAnswer(catalog.Scenarios[task.Scenario], weights);

    public bool TryDecodeWeights(WeightReportTask task, string text, out double[] weights, out string problem)
    {
        bool ok = ReportParser.TryParse(text, catalog.Scenarios[task.Scenario], out weights, out var why);
        problem = why ?? "";
        return ok;
    }
}
