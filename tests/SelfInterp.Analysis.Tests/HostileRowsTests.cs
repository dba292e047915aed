using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// Issue 24: values and rows that moved a number with no warning. A report value off the −100..100 scale is a bad
/// report; a repeated row counts once; an option value far outside its range is left out; an empty report file is
/// a condition with no reports. Each is counted, named by file and line in the warnings (and so in summary.json),
/// and the numbers are those of the file without the hostile row.
/// </summary>
public class HostileRowsTests : IDisposable
{
    private const string Model = "simmodel";
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _clean = new();

    public HostileRowsTests()
    {
        var run = new SyntheticRun { Seed = 9, InstilledScenarios = 10, NativeScenarios = 6, ReportNoise = 20 };
        run.Write(_dir.Path);
        run.Write(_clean.Path);
    }

    public void Dispose() { _dir.Dispose(); _clean.Dispose(); }

    private string Selections => _dir.File(PaperLayout.InstilledSelections(Model));
    private string Reports(ReportCondition c) => _dir.File(PaperLayout.Reports(Model, c, ReportCounts.Paper));

    /// <summary>Removes 1-based line <paramref name="line"/> of a file in the clean copy: what the analysis should equal.</summary>
    private void RemoveCleanLine(string file, int line)
    {
        var path = _clean.File(Path.GetFileName(file));
        var lines = File.ReadAllLines(path).ToList();
        lines.RemoveAt(line - 1);
        File.WriteAllLines(path, lines);
    }

    [Theory]
    [InlineData("1e6")]
    [InlineData("1e308")]
    [InlineData("101")]
    [InlineData("-100.5")]
    public void Report_value_outside_the_scale_is_a_bad_report_not_a_number_in_the_fit(string value)
    {
        var path = Reports(ReportCondition.Instilled);
        RunFiles.SetField(path, 7, "report_attr2", value);
        RemoveCleanLine(path, 7);

        var summary = Analyzer.Analyze(_dir.Path);
        var c = summary.Models.Single().Reports.Instilled!;
        Assert.Equal(1, c.BadReports);
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(path)}:7 (report_attr2 '{value}')") && w.Contains("outside the scale"));
        Assert.Equal(Analyzer.Analyze(_clean.Path).Models.Single().Reports.Instilled!.Slope, c.Slope, 12);
        Assert.Contains("outside the scale", SummaryJson.Write(summary));
    }

    [Fact]
    public void Report_value_at_the_scale_bounds_is_kept()
    {
        var path = Reports(ReportCondition.Instilled);
        RunFiles.SetField(path, 7, "report_attr2", "-100");
        RunFiles.SetField(path, 8, "report_attr2", "100.0");
        var summary = Analyzer.Analyze(_dir.Path);
        Assert.Equal(0, summary.Models.Single().Reports.Instilled!.BadReports);
        Assert.DoesNotContain(summary.Warnings, w => w.Contains("outside the scale"));
    }

    [Fact]
    public void Duplicated_selection_rows_count_once_with_a_warning()
    {
        var lines = File.ReadAllLines(Selections);
        File.WriteAllLines(Selections, [.. lines, .. lines.Skip(1)]); // the file's rows pasted twice
        var summary = Analyzer.Analyze(_dir.Path);
        var warning = Assert.Single(summary.Warnings, w => w.Contains("duplicate of an earlier row"));
        Assert.Contains($"{lines.Length - 1} rows excluded", warning);
        Assert.Contains($"{Path.GetFileName(Selections)}:{lines.Length + 1} (repeats line 2)", warning);
        var clean = Analyzer.Analyze(_clean.Path).Models.Single();
        var model = summary.Models.Single();
        Assert.Equal(clean.Instillation!.R, model.Instillation!.R, 12);
        Assert.Equal(clean.LearnedInstilled[0].Selections, model.LearnedInstilled[0].Selections);
    }

    [Fact]
    public void Duplicated_report_row_counts_once_with_a_warning()
    {
        var path = Reports(ReportCondition.Instilled);
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, [.. lines, lines[4]]);
        var summary = Analyzer.Analyze(_dir.Path);
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(path)}:{lines.Length + 1} (repeats line 5)"));
        var c = summary.Models.Single().Reports.Instilled!;
        Assert.Equal(1, c.ExcludedRows);
        Assert.Equal(Analyzer.Analyze(_clean.Path).Models.Single().Reports.Instilled!.Slope, c.Slope, 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n\n  \n")]
    public void Report_file_with_no_data_is_a_condition_with_no_reports_named_and_the_rest_analysed(string content)
    {
        var path = Reports(ReportCondition.Instilled);
        File.WriteAllText(path, content);
        var summary = Analyzer.Analyze(_dir.Path);
        var model = summary.Models.Single();
        Assert.Contains(summary.Warnings, w => w.StartsWith(Path.GetFileName(path) + ": the file is empty"));
        Assert.True(model.Reports.Instilled is null || model.Reports.Instilled.N == 0);
        var clean = Analyzer.Analyze(_clean.Path).Models.Single();
        Assert.Equal(clean.Reports.ItrainedHeldOut!.Slope, model.Reports.ItrainedHeldOut!.Slope, 12);
        Assert.Equal(clean.Instillation!.R, model.Instillation!.R, 12);
    }

    [Fact]
    public void Option_value_far_outside_its_range_is_left_out_with_its_line()
    {
        RunFiles.SetField(Selections, 8, "A_attribute_2", "1000000");
        RemoveCleanLine(Selections, 8);
        var summary = Analyzer.Analyze(_dir.Path);
        Assert.Contains(summary.Warnings, w => w.Contains($"{Path.GetFileName(Selections)}:8 (A_attribute_2 '1000000')") && w.Contains("far outside"));
        Assert.Equal(Analyzer.Analyze(_clean.Path).Models.Single().Instillation!.R, summary.Models.Single().Instillation!.R, 12);
    }

    [Fact]
    public void Target_weight_outside_the_scale_is_refused_naming_file_line_and_field()
    {
        var path = _dir.File(PaperLayout.InstilledWeightsFile);
        RunFiles.SetField(path, 3, "attr4", "1e6");
        var e = Assert.Throws<Core.IO.DataFileException>(() => Analyzer.Analyze(_dir.Path));
        Assert.Equal((path, 3, "attr4"), (e.FilePath, e.LineNumber!.Value, e.Field));
        Assert.Contains("outside −100..100", e.Message);
    }

    [Fact]
    public void Terminal_table_uses_the_reports_one_minus_sign()
    {
        using var noise = new TempDirectory();
        new SyntheticRun { Seed = 3, InstilledScenarios = 10, NativeScenarios = 6, PureNoiseReports = true }.Write(noise.Path);
        var table = SummaryTable.Render(Analyzer.Analyze(noise.Path));
        Assert.Contains("\u2212", table); // pure-noise reports: some slope or bound is negative
        Assert.DoesNotMatch(@"(^|[\s\[(,])-\d", table);
        Assert.Contains("instilled \u2212 base, paired", table);
    }
}
