using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Tests;

/// <summary>Bad input is a counted exclusion with file:line in the warnings, or a DataFileException naming file, line and field.</summary>
public class BadInputTests : IDisposable
{
    private const string Model = "simmodel";
    private readonly TempDirectory _dir = new();

    public BadInputTests() => new SyntheticRun { Seed = 9, InstilledScenarios = 10, NativeScenarios = 6, ReportNoise = 20 }.Write(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private string Selections => _dir.File(PaperLayout.InstilledSelections(Model));
    private string Reports(ReportCondition c) => _dir.File(PaperLayout.Reports(Model, c, ReportCounts.Paper));

    [Fact]
    public void Empty_report_values_are_bad_reports_counted_and_left_out()
    {
        var path = Reports(ReportCondition.Instilled);
        foreach (int line in new[] { 2, 5, 30 })
            for (int i = 1; i <= 5; i++) RunFiles.SetField(path, line, $"report_attr{i}", "");
        // scenario 0's first ten reports all bad: its five pairs drop out
        for (int line = 2; line <= 11; line++) RunFiles.SetField(path, line, "report_attr3", "");

        var c = Analyzer.Analyze(_dir.Path).Models.Single().Reports.Instilled!;
        Assert.Equal(11, c.BadReports);
        Assert.Equal(45, c.N);
        Assert.Equal(0, c.ExcludedRows);
    }

    [Fact]
    public void A_non_numeric_report_value_is_excluded_with_its_line_in_the_warnings()
    {
        var path = Reports(ReportCondition.NativeAfter);
        RunFiles.SetField(path, 7, "report_attr4", "high");
        var summary = Analyzer.Analyze(_dir.Path);
        var c = summary.Models.Single().Reports.NativeAfter!;
        Assert.Equal(1, c.ExcludedRows);
        Assert.Equal(0, c.BadReports);
        Assert.Equal(30, c.N); // the scenario keeps its other nine reports
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(path)}:7") && w.Contains("not a number") && w.Contains("'high'"));
    }

    [Fact]
    public void A_selection_that_is_neither_A_nor_B_is_excluded_with_its_line()
    {
        RunFiles.SetField(Selections, 4, "selection", "C");
        RunFiles.SetField(Selections, 9, "selection", "");
        var summary = Analyzer.Analyze(_dir.Path);
        var warning = Assert.Single(summary.Warnings, w => w.Contains("neither A nor B"));
        Assert.Contains("2 rows excluded", warning);
        Assert.Contains($"{Path.GetFileName(Selections)}:4 ('C')", warning);
        Assert.Equal(48, summary.Models.Single().LearnedInstilled[0].Selections); // both rows are scenario 0's
    }

    [Fact]
    public void Scenarios_not_in_the_catalog_are_excluded_with_their_lines()
    {
        RunFiles.SetField(Selections, 3, "scenario", "999");
        RunFiles.SetField(Selections, 6, "scenario", "x1");
        RunFiles.SetField(Reports(ReportCondition.Base), 12, "scenario", "-4");
        var summary = Analyzer.Analyze(_dir.Path);
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(Selections)}:3 (scenario 999)") && w.Contains("not in scenarios.csv"));
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(Selections)}:6 (scenario x1)") && w.Contains("not in scenarios.csv"));
        Assert.Equal(1, summary.Models.Single().Reports.Base!.ExcludedRows);
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(Reports(ReportCondition.Base))}:12"));
    }

    [Fact]
    public void A_non_numeric_option_value_is_excluded_with_its_line()
    {
        RunFiles.SetField(Selections, 8, "B_attribute_3", "n/a");
        var summary = Analyzer.Analyze(_dir.Path);
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(Selections)}:8 (B_attribute_3 'n/a')"));
    }

    [Fact]
    public void Uninformative_scenarios_are_reported_as_failed_not_dropped()
    {
        // scenario 2 (lines 102..151) always chooses A; scenario 3 loses every row
        for (int line = 102; line <= 151; line++) RunFiles.SetField(Selections, line, "selection", "A");
        for (int line = 152; line <= 201; line++) RunFiles.SetField(Selections, line, "selection", "?");
        var model = Analyzer.Analyze(_dir.Path).Models.Single();
        Assert.Contains(model.FailedScenarios, f => f.Scenario == 2 && f.Reason.Contains("all 50 selections are A"));
        Assert.Contains(model.FailedScenarios, f => f.Scenario == 3 && f.Reason == "no valid selections");
        Assert.Equal(8, model.Instillation!.Scenarios);
        Assert.DoesNotContain(model.LearnedInstilled, w => w.Scenario is 2 or 3);
        Assert.Equal(40, model.Reports.Instilled!.N);
        var json = Summary.SummaryJson.Write(Analyzer.Analyze(_dir.Path));
        Assert.Contains("\"reason\": \"no valid selections\"", json);
    }

    [Fact]
    public void A_missing_column_names_the_file_the_line_and_the_field()
    {
        RunFiles.RemoveColumn(Selections, "selection");
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal(Selections, e.FilePath);
        Assert.Equal(1, e.LineNumber);
        Assert.Equal("selection", e.Field);
    }

    /// <summary>A file of the wrong kind named as scenarios.csv (JSON, another CSV) or a directory is said to be one.</summary>
    [Fact]
    public void A_wrong_file_or_a_directory_named_as_scenarios_is_said_to_be_one()
    {
        var json = _dir.File("scenarios.json");
        File.WriteAllText(json, "{\"scenario\": 1}\n");
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path, new AnalysisOptions { ScenariosFile = json, WriteFiles = false }));
        Assert.Equal(json, e.FilePath);
        Assert.Contains("the header has: {\"scenario\": 1}", e.Message);

        var weights = _dir.File(PaperLayout.InstilledWeightsFile);
        var other = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path, new AnalysisOptions { ScenariosFile = weights, WriteFiles = false }));
        Assert.Contains("the header has: scenario, attr1", other.Message);

        var dir = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path, new AnalysisOptions { ScenariosFile = _dir.Path, WriteFiles = false }));
        Assert.Contains("a directory (named by --scenarios)", dir.Message);
        Assert.Contains(Path.Combine(_dir.Path, PaperLayout.ScenariosFile), dir.Message);
    }

    [Fact]
    public void A_missing_report_column_names_the_field()
    {
        RunFiles.RemoveColumn(Reports(ReportCondition.ItrainedSecondHalf), "report_attr5");
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal("report_attr5", e.Field);
        Assert.EndsWith(PaperLayout.Reports(Model, ReportCondition.ItrainedSecondHalf, ReportCounts.Paper), e.FilePath);
    }

    [Fact]
    public void Empty_and_header_only_selections_files_are_clear_errors()
    {
        File.WriteAllText(Selections, "");
        var empty = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal(Selections, empty.FilePath);
        Assert.Contains("empty", empty.Message);

        File.WriteAllText(Selections, string.Join(',', PaperLayout.SelectionColumns) + "\n");
        var headerOnly = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal(Selections, headerOnly.FilePath);
        Assert.Equal(2, headerOnly.LineNumber);
    }

    [Fact]
    public void An_empty_attribute_range_names_the_scenario_line_and_field()
    {
        RunFiles.SetField(_dir.File(PaperLayout.ScenariosFile), 4, "attr5_max", "-1000000");
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal((4, "attr5_max"), (e.LineNumber!.Value, e.Field));
    }

    [Fact]
    public void A_missing_scenario_catalog_is_a_clear_error()
    {
        File.Delete(_dir.File(PaperLayout.ScenariosFile));
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal(_dir.File(PaperLayout.ScenariosFile), e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void A_directory_without_selections_is_a_clear_error()
    {
        File.Delete(Selections);
        var e = Assert.Throws<DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Contains("_instilled_selections.csv", e.Message);
    }

    [Fact]
    public void Scenarios_analysed_nowhere_are_a_warning_and_missing_files_are_null()
    {
        File.Delete(_dir.File(PaperLayout.LatentSelections(Model)));
        File.Delete(Reports(ReportCondition.ItrainedFirstHalf));
        var summary = Analyzer.Analyze(_dir.Path);
        var model = summary.Models.Single();
        Assert.Empty(model.LearnedNative);
        Assert.Equal(0, model.Reports.NativeBefore!.N); // reports, but no learned native weights to compare with
        Assert.Contains(summary.Warnings, w => w.Contains(PaperLayout.Reports(Model, ReportCondition.NativeBefore, ReportCounts.Paper)) && w.Contains("without learned weights"));
        Assert.Null(model.Reports.ItrainedFirstHalf);
        Assert.Equal(model.Reports.ItrainedSecondHalf!.N, model.Reports.ItrainedHeldOut!.N);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "analysis", PaperLayout.LatentRegressionResults(Model))));
    }
}
