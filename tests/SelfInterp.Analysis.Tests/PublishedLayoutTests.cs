using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// The facts of the published layout (issue 12): names as keys with the index from scenarios.csv's row order, a
/// catalog and target weights larger than the run, any model-id form, floats, CRLF and a BOM, missing report rows,
/// a header-only condition, the scenario files one folder up or named, and old integer-keyed runs.
/// </summary>
public class PublishedLayoutTests : IDisposable
{
    private const string Model = "simmodel";
    private readonly TempDirectory _root = new();
    private readonly SyntheticRun _run = new() { Seed = 21, InstilledScenarios = 12, NativeScenarios = 8, ReportNoise = 30 };
    private readonly string _integers, _named;

    public PublishedLayoutTests()
    {
        _integers = Path.Combine(_root.Path, "integers");
        _named = Path.Combine(_root.Path, "named");
        _run.Write(_integers);
        _run.Write(_named);
        PublishedLayout.Convert(_named);
    }

    public void Dispose() => _root.Dispose();

    private string Named(string file) => Path.Combine(_named, file);
    private string Reports(ReportCondition c) => Named(PaperLayout.Reports(Model, c, ReportCounts.Paper));

    private static void AssertSameAnalysis(ModelAnalysis expected, ModelAnalysis actual, int digits = 12)
    {
        Assert.Equal(expected.Instillation!.R, actual.Instillation!.R, digits);
        Assert.Equal(expected.Instillation.Scenarios, actual.Instillation.Scenarios);
        foreach (var ((key, e), (_, a)) in expected.Reports.Named().Zip(actual.Reports.Named()))
        {
            Assert.True(e is not null && a is not null, key);
            Assert.Equal(e.Slope, a.Slope, digits);
            Assert.Equal(e.N, a.N);
        }
        Assert.Equal(expected.LearnedInstilled.Select(w => (w.Scenario, string.Join(",", w.Weights))),
                     actual.LearnedInstilled.Select(w => (w.Scenario, string.Join(",", w.Weights))));
        Assert.Equal(expected.LearnedNative.Select(w => string.Join(",", w.Weights)), actual.LearnedNative.Select(w => string.Join(",", w.Weights)));
        Assert.Equal(expected.PairedItrainingEffect, actual.PairedItrainingEffect);
    }

    [Fact]
    public void Names_as_keys_floats_and_service_model_ids_give_the_analysis_of_integer_keys()
    {
        var expected = Analyzer.Analyze(_integers).Models.Single();
        var actual = Analyzer.Analyze(_named).Models.Single();
        AssertSameAnalysis(expected, actual);
        // instilled_weights.csv has a row for every scenario of the catalog: only the instilled ones count.
        Assert.Empty(actual.FailedScenarios);
        Assert.Equal(_run.InstilledScenarios, actual.Instillation!.Scenarios);
        // The index is the row of scenarios.csv; our outputs key by its names, so the authors' scripts join on them.
        var results = CsvTable.Read(Path.Combine(_named, PaperLayout.AnalysisDirectory, PaperLayout.RegressionResults(Model)));
        Assert.Equal(actual.LearnedInstilled.Select(w => PublishedLayout.Name(w.Scenario)), results.Rows.Select(r => r["scenario"]));
    }

    [Fact]
    public void Crlf_line_ends_and_a_byte_order_mark_read_the_same()
    {
        var expected = Analyzer.Analyze(_named).Models.Single();
        foreach (var path in Directory.GetFiles(_named, "*.csv")) PublishedLayout.ToWindowsText(path);
        Assert.Equal(0xEF, File.ReadAllBytes(Named(PaperLayout.ScenariosFile))[0]);
        AssertSameAnalysis(expected, Analyzer.Analyze(_named).Models.Single());
    }

    [Fact]
    public void A_name_not_in_scenarios_csv_is_excluded_with_its_line()
    {
        RunFiles.SetField(Reports(ReportCondition.Instilled), 4, "scenario", "no_such_scenario");
        var summary = Analyzer.Analyze(_named);
        Assert.Equal(1, summary.Models.Single().Reports.Instilled!.ExcludedRows);
        Assert.Contains(summary.Warnings, w => w.Contains($"{PaperLayout.Reports(Model, ReportCondition.Instilled, ReportCounts.Paper)}:4 (scenario no_such_scenario)")
                                               && w.Contains("not in scenarios.csv"));

        RunFiles.SetField(Named(PaperLayout.InstilledWeightsFile), 3, "scenario", "unknown_name");
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_named));
        Assert.Equal((Named(PaperLayout.InstilledWeightsFile), 3, "scenario"), (e.FilePath, e.LineNumber!.Value, e.Field!));
        Assert.Contains("'unknown_name' is not in scenarios.csv", e.Message);
    }

    [Fact]
    public void A_duplicate_name_in_scenarios_csv_is_an_error_naming_its_line()
    {
        RunFiles.SetField(Named(PaperLayout.ScenariosFile), 5, "scenario", PublishedLayout.Name(0));
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_named));
        Assert.Equal((Named(PaperLayout.ScenariosFile), 5, "scenario"), (e.FilePath, e.LineNumber!.Value, e.Field!));
    }

    [Fact]
    public void Absent_report_rows_leave_fewer_reports_and_a_scenario_with_none_drops_out()
    {
        // Scenario 0's ten reports are all absent (rows 2–11), and every third row of the rest.
        PublishedLayout.KeepRows(Reports(ReportCondition.Instilled), (line, _) => line > 11 && line % 3 != 0);
        var c = Analyzer.Analyze(_named).Models.Single().Reports.Instilled!;
        Assert.Equal(5 * (_run.InstilledScenarios - 1), c.N);
        Assert.DoesNotContain(c.Pairs, p => p.Scenario == 0);
        Assert.Equal(0, c.BadReports);
        Assert.True(double.IsFinite(c.Slope));
    }

    [Fact]
    public void A_header_only_condition_is_reported_as_no_valid_reports_and_the_rest_stands()
    {
        var expected = Analyzer.Analyze(_named).Models.Single();
        File.WriteAllText(Reports(ReportCondition.Instilled), string.Join(',', PaperLayout.ReportColumns) + "\n");
        var summary = Analyzer.Analyze(_named);
        var m = summary.Models.Single();
        Assert.Equal(0, m.Reports.Instilled!.N);
        Assert.True(double.IsNaN(m.Reports.Instilled.Slope));
        Assert.Equal(expected.Reports.ItrainedHeldOut!.Slope, m.Reports.ItrainedHeldOut!.Slope, 12);
        Assert.Equal(expected.Reports.NativeAfter!.Slope, m.Reports.NativeAfter!.Slope, 12);
        Assert.Equal(expected.Instillation!.R, m.Instillation!.R, 12);
        // No slope from nothing: the effects that need the empty condition are undefined, not numbers.
        Assert.True(double.IsNaN(m.ItrainingEffect!.Difference) && double.IsNaN(m.PairedItrainingEffect!.Difference));
        Assert.Equal(expected.PairedNativeEffect, m.PairedNativeEffect);

        Assert.Contains(summary.Warnings, w => w.Contains(PaperLayout.Reports(Model, ReportCondition.Instilled, ReportCounts.Paper)) && w.Contains("no valid reports"));
        Assert.Contains("no valid reports", SummaryTable.Render(summary));
        Assert.Contains("\"note\": \"no valid reports\"", SummaryJson.Write(summary));
        var (_, markdown) = RunReport.Write(_named, summary);
        Assert.Contains("| instilled model | no valid reports |", File.ReadAllText(markdown));
    }

    [Fact]
    public void Scenario_files_one_folder_up_as_in_the_replication_repository()
    {
        // data/scenarios.csv, data/instilled_weights.csv, data/<run>/qwen2.5-7b-instruct_*.csv
        var data = Path.Combine(_root.Path, "data");
        var runDir = Path.Combine(data, "run1");
        Directory.CreateDirectory(runDir);
        const string qwen = "qwen2.5-7b-instruct";
        foreach (var path in Directory.GetFiles(_named, "*.csv"))
        {
            var file = Path.GetFileName(path);
            var target = file is PaperLayout.ScenariosFile or PaperLayout.InstilledWeightsFile
                ? Path.Combine(data, file)
                : Path.Combine(runDir, file.Replace(Model + "_", qwen + "_"));
            File.Copy(path, target);
        }
        foreach (var path in Directory.GetFiles(runDir, "*.csv"))
            RunFiles.MapText(path, "ft:gpt-4o-2024-08-06:org-name:100-instilled-prefs-50ex:B3QvzFG1", $"{qwen}:100-instilled-prefs-50ex");

        var summary = Analyzer.Analyze(runDir);
        Assert.Equal(Path.Combine("..", PaperLayout.ScenariosFile), summary.ScenariosFile);
        Assert.Equal(Path.Combine("..", PaperLayout.InstilledWeightsFile), summary.WeightsFile);
        var m = summary.Models.Single();
        Assert.Equal(qwen, m.BaseModel);
        var (_, markdown) = RunReport.Write(runDir, summary);
        Assert.Contains($"| ..{Path.DirectorySeparatorChar}scenarios.csv | {_run.InstilledScenarios + _run.NativeScenarios + PublishedLayout.ExtraScenarios} |", File.ReadAllText(markdown));

        // The same files all in one folder give the same analysis.
        foreach (var file in new[] { PaperLayout.ScenariosFile, PaperLayout.InstilledWeightsFile })
            File.Copy(Path.Combine(data, file), Path.Combine(runDir, file));
        AssertSameAnalysis(Analyzer.Analyze(runDir, new AnalysisOptions { WriteFiles = false }).Models.Single(), m);
    }

    [Fact]
    public void Named_scenario_files_are_read_instead_of_searching_and_a_missing_one_is_an_error()
    {
        var elsewhere = Path.Combine(_root.Path, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        foreach (var file in new[] { PaperLayout.ScenariosFile, PaperLayout.InstilledWeightsFile })
            File.Move(Named(file), Path.Combine(elsewhere, file));

        var missing = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_named));
        Assert.Equal(Named(PaperLayout.ScenariosFile), missing.FilePath);
        Assert.Contains("--scenarios", missing.Message);

        var options = new AnalysisOptions
        {
            ScenariosFile = Path.Combine(elsewhere, PaperLayout.ScenariosFile),
            WeightsFile = Path.Combine(elsewhere, PaperLayout.InstilledWeightsFile),
        };
        var m = Analyzer.Analyze(_named, options).Models.Single();
        Assert.Equal(AnalyzeIntegers().Instillation!.R, m.Instillation!.R, 12);

        var wrong = Path.Combine(elsewhere, "nope.csv");
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_named, options with { WeightsFile = wrong }));
        Assert.Equal(wrong, e.FilePath);
        Assert.Contains("--weights", e.Message);
    }

    private ModelAnalysis AnalyzeIntegers() => Analyzer.Analyze(_integers, new AnalysisOptions { WriteFiles = false }).Models.Single();

    [Fact]
    public void A_run_resumed_across_the_change_mixes_names_and_integer_indices()
    {
        // scenarios.csv rewritten with names on resume; a report file written before keeps its integers.
        File.Copy(Path.Combine(_integers, PaperLayout.Reports(Model, ReportCondition.Base, ReportCounts.Paper)), Reports(ReportCondition.Base), overwrite: true);
        var m = Analyzer.Analyze(_named).Models.Single();
        Assert.Equal(AnalyzeIntegers().Reports.Base!.Slope, m.Reports.Base!.Slope, 12);
        Assert.Equal(0, m.Reports.Base.ExcludedRows);
    }

    [Fact]
    public void Published_regression_results_sorted_by_name_are_compared_by_scenario()
    {
        var ours = Analyzer.Analyze(_named, new AnalysisOptions { WriteFiles = false }).Models.Single();
        var csv = new CsvWriter(PaperLayout.RegressionColumns);
        foreach (var w in ours.LearnedInstilled.OrderBy(w => PublishedLayout.Name(w.Scenario), StringComparer.Ordinal))
        {
            csv.Field(PublishedLayout.Name(w.Scenario));
            foreach (var v in w.Weights) csv.Field(v);
        }
        csv.WriteTo(Named(PaperLayout.RegressionResults(Model)));
        Assert.NotEqual(ours.LearnedInstilled.Select(w => w.Scenario), ours.LearnedInstilled.OrderBy(w => PublishedLayout.Name(w.Scenario), StringComparer.Ordinal).Select(w => w.Scenario));

        var agreement = Assert.Single(Analyzer.Analyze(_named).Models.Single().Published);
        Assert.Equal(PaperLayout.RegressionResults(Model), agreement.File);
        Assert.Equal(1.0, agreement.R, 12);
        Assert.Equal(_run.InstilledScenarios, agreement.Scenarios);
    }
}
