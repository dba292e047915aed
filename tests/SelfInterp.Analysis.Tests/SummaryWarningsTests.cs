using System.Text.Json;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Report;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// Issue 24: every warning lands in summary.json. Some warnings were the report's alone (missing files, conditions
/// without valid reports or with too few pairs, failed fits, malformed or disagreeing raw replies, an unreadable
/// run.json); one test per class of warning tampers with a fresh quick simulated run and finds the warning in the
/// summary.json the analysis wrote, each model's named by its model, and every warning the report shows there too.
/// </summary>
public class SummaryWarningsTests : IDisposable
{
    private const string Model = SimulatedBackend.BaseModelId;
    private readonly TempDirectory _root = new();
    private readonly string _dir;

    public SummaryWarningsTests()
    {
        _dir = Path.Combine(_root.Path, "run");
        var config = PreferencesExperiment.Config("quick") with { Backend = "simulated", BaseModel = Model };
        using var run = RunDirectory.OpenOrCreate(_dir, config);
        ExperimentCatalog.RunAsync(run, SilentProgress.Instance, CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose() => _root.Dispose();

    private string File_(string name) => Path.Combine(_dir, name);
    private string Reports(ReportCondition c) => File_(ReportFiles.Find(_dir, Model)[c]);

    /// <summary>Analyses the run, writing summary.json, and returns its warnings; checks that the report shows none that the summary lacks.</summary>
    private List<string> Warnings()
    {
        var summary = Analyzer.Analyze(_dir);
        using var json = JsonDocument.Parse(File.ReadAllText(File_("analysis/summary.json")));
        var warnings = json.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Equal(summary.Warnings, warnings);
        var report = ReportContent.Build(_dir, summary);
        Assert.All(report.Warnings, w => Assert.Contains(w, warnings));
        Assert.All(report.Models.SelectMany(m => m.Warnings), w => Assert.Contains($"{Model}: {w}", warnings));
        return warnings;
    }


    [Fact]
    public void A_clean_run_has_no_warnings()
    {
        Assert.Empty(Warnings());
    }

    [Fact]
    public void Report_value_that_is_not_a_number_is_in_summary_json()
    {
        var file = Reports(ReportCondition.Instilled);
        RunFiles.SetField(file, 5, "report_attr2", "abc");
        Assert.Contains(Warnings(), w => w.Contains("a report value is not a number") && w.Contains($"{Path.GetFileName(file)}:5 (report_attr2 'abc')"));
    }

    [Fact]
    public void Report_value_off_the_scale_is_in_summary_json()
    {
        var file = Reports(ReportCondition.Base);
        RunFiles.SetField(file, 7, "report_attr4", "-250");
        Assert.Contains(Warnings(), w => w.Contains("outside the scale asked for") && w.Contains($"{Path.GetFileName(file)}:7"));
    }

    [Fact]
    public void Duplicated_rows_are_in_summary_json()
    {
        var file = File_(PaperLayout.InstilledSelections(Model));
        var lines = File.ReadAllLines(file);
        File.WriteAllLines(file, [.. lines, lines[3]]);
        Assert.Contains(Warnings(), w => w.Contains("duplicate of an earlier row") && w.Contains($"{Path.GetFileName(file)}:{lines.Length + 1}"));
    }

    [Fact]
    public void Report_file_holding_a_lone_newline_is_in_summary_json_once()
    {
        var file = Reports(ReportCondition.NativeBefore);
        File.WriteAllText(file, "\n");
        var warnings = Warnings();
        Assert.Single(warnings, w => w.StartsWith($"{Path.GetFileName(file)}: the file is empty"));
        Assert.Contains($"{Model}: native, before itraining: no valid reports (0 bad reports, 0 excluded rows): no slope", warnings);
    }

    [Fact]
    public void Report_file_with_a_header_only_is_in_summary_json()
    {
        var file = Reports(ReportCondition.Instilled);
        File.WriteAllLines(file, File.ReadAllLines(file).Take(1));
        Assert.Contains($"{Model}: instilled model: no valid reports (0 bad reports, 0 excluded rows): no slope", Warnings());
    }

    [Fact]
    public void Missing_report_file_is_in_summary_json()
    {
        File.Delete(Reports(ReportCondition.ItrainedFirstHalf));
        Assert.Contains($"{Model}: missing file {Model}_itrained_first_*_of_*_*ex_weight_reports.csv: no 'itrained 1st half, reports on 2nd' measure", Warnings());
    }

    [Fact]
    public void Missing_native_selections_are_in_summary_json()
    {
        File.Delete(File_(PaperLayout.LatentSelections(Model)));
        Assert.Contains($"{Model}: missing file {PaperLayout.LatentSelections(Model)}: no native weights", Warnings());
    }

    [Fact]
    public void Condition_with_too_few_pairs_is_in_summary_json()
    {
        var file = Reports(ReportCondition.ItrainedFirstHalf);
        File.WriteAllLines(file, File.ReadAllLines(file).Take(11)); // one scenario's 10 reports: 5 pairs
        Assert.Contains(Warnings(), w => w.StartsWith($"{Model}: itrained 1st half, reports on 2nd: ") && w.Contains("5 "));
    }

    [Fact]
    public void Failed_fit_is_in_summary_json()
    {
        var file = File_(PaperLayout.InstilledSelections(Model));
        var lines = File.ReadAllLines(file);
        var scenario = lines[1].Split(',')[1];
        File.WriteAllLines(file, lines.Where((l, i) => i == 0 || l.Split(',')[1] != scenario));
        Assert.Contains(Warnings(), w => w.StartsWith($"{Model}: regression failed: {PaperLayout.InstilledSelections(Model)} scenario 0: no selections"));
    }

    [Fact]
    public void Malformed_line_of_a_replies_file_is_in_summary_json()
    {
        var replies = File_("replies/reports_instilled.jsonl");
        var lines = File.ReadAllLines(replies).ToList();
        lines.Insert(2, "{not a reply");
        File.WriteAllLines(replies, lines);
        Assert.Contains(Warnings(), w => w.StartsWith($"{Model}: replies/reports_instilled.jsonl:3: not a reply record"));
    }

    [Fact]
    public void Replies_that_disagree_with_the_report_file_are_in_summary_json()
    {
        var file = Reports(ReportCondition.Instilled);
        foreach (var column in ReportSetColumns) RunFiles.SetField(file, 4, column, "");
        Assert.Contains(Warnings(), w => w.StartsWith($"{Model}: replies/reports_instilled.jsonl: 0 replies are bad reports (unparseable or off the scale) but the report file has 1 bad rows"));
    }

    /// <summary>A reply that parses but leaves the scale (an organism's saturated −999) is a bad report in the raw
    /// replies as in the report file, so the two agree and only the off-scale value is warned about.</summary>
    [Fact]
    public void An_off_scale_reply_is_a_bad_report_in_the_replies_as_in_the_file()
    {
        var replies = File_("replies/reports_instilled.jsonl");
        var lines = File.ReadAllLines(replies);
        var reply = JsonSerializer.Deserialize<Reply>(lines[3])!;
        var report = JsonSerializer.Deserialize<Dictionary<string, double>>(reply.Text!)!;
        string first = report.Keys.First();
        report[first] = -999;
        lines[3] = JsonSerializer.Serialize(reply with { Text = JsonSerializer.Serialize(report) });
        File.WriteAllLines(replies, lines);
        RunFiles.SetField(Reports(ReportCondition.Instilled), reply.Index + 2, "report_attr1", "-999");

        var warnings = Warnings();
        Assert.Contains(warnings, w => w.Contains("outside the scale asked for") && w.Contains("'-999'"));
        Assert.DoesNotContain(warnings, w => w.Contains("replies/reports_instilled.jsonl") && w.Contains("bad reports"));
    }

    private static readonly string[] ReportSetColumns = Data.ReportSet.ReportColumns;

    /// <summary>Found in issue 24's closing round: a row of an itrained half's file on a scenario that model was trained
    /// on entered the held-out measure, exit 0, no warning. It is left out now: the numbers are those without it.</summary>
    [Theory]
    [InlineData(ReportCondition.ItrainedFirstHalf, 0, "first")]   // trained on 0–9, reports on 10–19
    [InlineData(ReportCondition.ItrainedSecondHalf, 15, "last")]  // trained on 10–19, reports on 0–9
    public void Held_out_report_on_a_scenario_its_model_trained_on_is_left_out_and_in_summary_json(ReportCondition condition, int scenario, string half)
    {
        var file = Reports(condition);
        var lines = File.ReadAllLines(file);
        File.WriteAllLines(file, lines.Where((_, i) => i != 1));
        var without = Analyzer.Analyze(_dir, new AnalysisOptions { WriteFiles = false }).Models.Single();

        File.WriteAllLines(file, lines);
        var key = File.ReadAllLines(File_(PaperLayout.ScenariosFile))[scenario + 1].Split(',')[0];
        RunFiles.SetField(file, 2, "scenario", key);
        var warnings = Warnings();
        var with = Analyzer.Analyze(_dir, new AnalysisOptions { WriteFiles = false }).Models.Single();
        Assert.Equal(without.Reports.ItrainedHeldOut!.Slope, with.Reports.ItrainedHeldOut!.Slope, 12);
        Assert.Equal(without.Reports.ItrainedHeldOut.N, with.Reports.ItrainedHeldOut.N);
        Assert.Contains(warnings, w => w.Contains($"reports on a scenario its model was itrained on (the {half} half of instilled scenarios 0–19)")
                                       && w.Contains($"{Path.GetFileName(file)}:2 (scenario {key})"));
    }

    [Fact]
    public void Unreadable_run_json_is_in_summary_json()
    {
        File.WriteAllText(File_(RunDirectory.ManifestFile), "{ not json");
        Assert.Contains(Warnings(), w => w.Contains("run.json") && w.Contains("not a valid run manifest"));
    }
}
