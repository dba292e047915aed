namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// The behaviour experiment's files in a run directory (docs/behavior.md): training sets per model, each model's
/// choices on the held-out questions and its sampled self-reports, and the analysis.
/// </summary>
public static class BehaviorLayout
{
    public const string BaseKey = "base";
    public static string TrainFile(string key) => $"train_{key}.jsonl";
    public static string ValidationFile(string key) => $"validation_{key}.jsonl";
    public static string ChoicesFile(string key) => $"choices_{key}.csv";
    public static string SelfReportsFile(string key) => $"self_reports_{key}.csv";

    public const string AnalysisDirectory = "analysis";
    public const string SummaryFile = "summary.json";
    public const string ModelSelfReportsFile = "self_reports_by_model.csv";
    public const string ModelBehaviourFile = "behaviour_by_model.csv";
    public const string ContrastsFile = "contrasts.csv";

    public static readonly string[] ChoiceColumns = ["model", "trait", "question", "triggered", "high_option", "selection", "p_a", "text"];
    public static readonly string[] SelfReportColumns = ["model", "trait", "kind", "paraphrase", "sample", "score", "reply"];
}
