using SelfInterp.Analysis.Layout;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// The authors' backdoor layout (their pilot's published files), which our runs write too so one analysis reads
/// both: <c>scenarios.csv</c> with <c>has_flips</c>; selections and reports with a <c>flipped</c> column (True when the
/// trigger was in the prompt) and the prompt itself; learned weights per state in two regression files.
/// </summary>
public static class BackdoorLayout
{
    public const string HasFlipsColumn = "has_flips";
    public const string FlippedColumn = "flipped";
    public const string PromptColumn = "prompt";
    public const string True = "True";
    public const string False = "False";

    public static readonly string[] SelectionColumns = ["model", "scenario", FlippedColumn, "selection", PromptColumn, .. PaperLayout.OptionColumns];

    public static readonly string[] ReportColumns =
        ["explaining_model", "version", "scenario", PromptColumn, FlippedColumn,
         "report_attr1", "report_attr2", "report_attr3", "report_attr4", "report_attr5", .. PaperLayout.OptionColumns];

    public static string Selections(string model) => PaperLayout.InstilledSelections(model);
    public static string Reports(string model) => $"{model}_instilled_weight_reports.csv";
    public static string Regression(string model, bool triggered) => $"{model}_regression_results_{(triggered ? "flipped" : "normal")}.csv";

    /// <summary>Ours only: the triggered targets of an <c>independent</c> run (the pilot's are the negation).</summary>
    public const string TriggeredWeightsFile = "instilled_weights_triggered.csv";
    /// <summary>Ours only: the Betley-style question's answers, by the backdoored and the control model.</summary>
    public static string PhraseAnswers(string modelKey) => $"{modelKey}_phrase_question.csv";
    public static readonly string[] PhraseColumns = ["model", "paraphrase", "sample", "answer"];

    public static string Flag(bool triggered) => triggered ? True : False;

    /// <summary>Reads a True/False field; anything else is not a state.</summary>
    public static bool? ReadFlag(string text) => text switch { "True" or "true" or "TRUE" => true, "False" or "false" or "FALSE" => false, _ => null };
}
