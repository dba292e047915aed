namespace SelfInterp.Analysis.Layout;

/// <summary>
/// File names and columns of the paper's published data layout (PROTOCOL.md, "File layout").
/// Writers and readers both use these, so our runs and the authors' files stay interchangeable.
/// </summary>
public static class PaperLayout
{
    public const string ScenariosFile = "scenarios.csv";
    public const string InstilledWeightsFile = "instilled_weights.csv";
    public const string TargetChoicesFile = "target_choices.csv";
    public const string AnalysisDirectory = "analysis";
    public const string SummaryFile = "summary.json";
    public const string RunManifestFile = Core.Runs.RunDirectory.ManifestFile;

    public const string VersionInstilled = "instilled_100";
    public const string VersionLatent = "latent_100-200";

    public static string InstilledSelections(string model) => $"{model}_instilled_selections.csv";
    public static string LatentSelections(string model) => $"{model}_instilled_latent_selections.csv";
    /// <summary>Ours, not the paper's: the base model's own choices on the instilled scenarios (the positive control).</summary>
    public static string BaseSelections(string model) => $"{model}_base_selections.csv";
    public static string RegressionResults(string model) => $"{model}_regression_results.csv";
    public static string LatentRegressionResults(string model) => $"{model}_latent_regression_results.csv";

    /// <summary>
    /// The report file our runs write for <paramref name="condition"/>, its name stating the run's counts (the
    /// authors' fixed names are the paper's counts, <see cref="ReportCounts.Paper"/>). Readers find the files by
    /// role, whatever counts their names state: <see cref="ReportFiles.Find"/>.
    /// </summary>
    public static string Reports(string model, ReportCondition condition, ReportCounts counts) =>
        ReportFiles.Name(model, condition, counts);

    public const string SelectionsSuffix = "_instilled_selections.csv";

    public static readonly string[] ScenarioColumns = Preferences.Catalog.CatalogReader.ScenarioColumns;

    public static readonly string[] WeightColumns = ["scenario", "attr1", "attr2", "attr3", "attr4", "attr5"];

    public static readonly string[] OptionColumns =
        ["A_attribute_1", "A_attribute_2", "A_attribute_3", "A_attribute_4", "A_attribute_5",
         "B_attribute_1", "B_attribute_2", "B_attribute_3", "B_attribute_4", "B_attribute_5"];

    public static readonly string[] SelectionColumns = ["model", "scenario", "selection", .. OptionColumns];

    public static readonly string[] ReportColumns =
        ["explaining_model", "version", "scenario",
         "report_attr1", "report_attr2", "report_attr3", "report_attr4", "report_attr5", .. OptionColumns];

    public static readonly string[] RegressionColumns = ["scenario", "b_attr1", "b_attr2", "b_attr3", "b_attr4", "b_attr5"];
}

/// <summary>
/// The counts a report file's name states: the instilled scenarios (split in two halves for introspection
/// training) and the decision examples per scenario the instilled model was trained on.
/// </summary>
public sealed record ReportCounts(int Instilled, int Examples)
{
    /// <summary>The paper's run, whose names the authors' published files carry.</summary>
    public static readonly ReportCounts Paper = new(100, 50);
}

/// <summary>Who reports, on which scenarios (PROTOCOL.md, "Reports").</summary>
public enum ReportCondition
{
    /// <summary>The base model on the instilled scenarios: the control.</summary>
    Base,
    /// <summary>The instilled model on the instilled scenarios.</summary>
    Instilled,
    /// <summary>Itrained on the first half, reporting on the second half.</summary>
    ItrainedFirstHalf,
    /// <summary>Itrained on the second half, reporting on the first half.</summary>
    ItrainedSecondHalf,
    /// <summary>The instilled model on the native scenarios.</summary>
    NativeBefore,
    /// <summary>Itrained on all instilled scenarios, reporting on the native scenarios.</summary>
    NativeAfter,
}
