using SelfInterp.Analysis.Tests;
using System.Text.Json;
using SelfInterp.Experiments.Behavior;

namespace SelfInterp.Backends.Tests.Behavior;

/// <summary>
/// Issue 24: rows of a behaviour run that moved a number with exit 0. A score of 1,000,000 made a mean of 10,091; a
/// pasted copy of a choices file doubled a model's n; a header-only choices file dropped a model from the correlation
/// without a word. Each is now counted (unreadable, counted once, or a model named as left out), with its file and
/// line in the warnings, the table and summary.json, and the numbers are those of the file without the hostile row.
/// </summary>
public class HostileBehaviourRowsTests : IAsyncLifetime
{
    private string _run = "";
    private readonly BehaviorPlan _plan = BehaviorPlan.Create(BehaviorRuns.Config(BehaviorRuns.Small with { Traits = ["risk"], Backdoor = null }));

    public async Task InitializeAsync()
    {
        _run = BehaviorRuns.NewDirectory("hostile-behaviour");
        using var _ = await BehaviorRuns.Run(_run, BehaviorRuns.Config(BehaviorRuns.Small with { Traits = ["risk"], Backdoor = null }));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A copy of the finished run, to tamper with.</summary>
    private string Copy()
    {
        var dir = BehaviorRuns.NewDirectory("hostile-copy");
        foreach (var f in Directory.GetFiles(_run, "*.csv"))
        {
            Directory.CreateDirectory(dir);
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }
        return dir;
    }

    private static (string Kind, Estimate Score, int Samples, int Unreadable, string Paraphrases) Numbers(SelfReportRow s) =>
        (s.Kind, s.Score, s.Samples, s.Unreadable, string.Join(",", s.ByParaphrase));


    [Theory]
    [InlineData("1000000")]
    [InlineData("-3")]
    [InlineData("100.5")]
    [InlineData("NaN")]
    public void Score_off_the_0_to_100_scale_is_unreadable_not_a_number_in_the_mean(string value)
    {
        var hostile = Copy();
        var clean = Copy();
        var file = BehaviorLayout.SelfReportsFile(BehaviorLayout.BaseKey);
        RunFiles.SetField(Path.Combine(hostile, file), 2, "score", value);
        RunFiles.SetField(Path.Combine(clean, file), 2, "score", ""); // what the row is: an answer not on the scale
        var r = BehaviorAnalysis.Analyze(hostile, _plan);
        var c = BehaviorAnalysis.Analyze(clean, _plan);
        var kind = File.ReadAllLines(Path.Combine(hostile, file))[1].Split(',')[2];
        var row = r.SelfReports.Single(s => s.Model == BehaviorLayout.BaseKey && s.Kind == kind);
        Assert.Equal(Numbers(c.SelfReports.Single(s => s.Model == BehaviorLayout.BaseKey && s.Kind == kind)), Numbers(row));
        Assert.InRange(row.Score.Value, 0, 100);
        Assert.Contains(r.Warnings, w => w.Contains($"{file}:2 (score '{value}')") && w.Contains("0–100"));
    }

    /// <summary>Found in the closing round of issue 24: a row whose key the run never asked made a measure of its own
    /// ("RISK") or moved the asked one's mean, exit 0 and no warning. Now left out and counted; the numbers are those
    /// of the file without the row.</summary>
    [Theory]
    [InlineData("self_reports", "trait", "RISK")]
    [InlineData("self_reports", "trait", "myopia")]
    [InlineData("self_reports", "kind", "bogus")]
    [InlineData("self_reports", "paraphrase", "99")]
    [InlineData("self_reports", "sample", "x")]
    [InlineData("choices", "trait", "bogus")]
    [InlineData("choices", "question", "99")]
    [InlineData("choices", "triggered", "1")]
    [InlineData("choices", "high_option", "FLIP")]
    public void Row_with_a_key_the_run_never_asked_is_left_out_and_counted(string kind, string column, string value)
    {
        var hostile = Copy();
        var clean = Copy();
        var model = _plan.Models.First(m => m.Kind == ModelKind.Pole).Key;
        var file = kind == "choices" ? BehaviorLayout.ChoicesFile(model) : BehaviorLayout.SelfReportsFile(model);
        var lines = File.ReadAllLines(Path.Combine(hostile, file));
        if (value == "FLIP") value = lines[1].Split(',')[Array.IndexOf(lines[0].Split(','), column)] == "A" ? "B" : "A";
        RunFiles.SetField(Path.Combine(hostile, file), 2, column, value);
        File.WriteAllLines(Path.Combine(clean, file), lines.Where((_, i) => i != 1));
        var r = BehaviorAnalysis.Analyze(hostile, _plan);
        var c = BehaviorAnalysis.Analyze(clean, _plan);
        Assert.Equal(c.SelfReports.Select(Numbers), r.SelfReports.Select(Numbers));
        Assert.Equal(c.Behaviour, r.Behaviour);
        Assert.Equal(c.Contrasts.Select(x => x.Difference), r.Contrasts.Select(x => x.Difference));
        Assert.Contains(r.Warnings, w => w.Contains("is not a question the run asked this model") && w.Contains($"{file}:2 (") && w.Contains($"{column} '{value}'"));
    }

    [Fact]
    public void Duplicated_choice_rows_count_once_with_a_warning()
    {
        var hostile = Copy();
        var path = Path.Combine(hostile, BehaviorLayout.ChoicesFile(BehaviorLayout.BaseKey));
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, [.. lines, .. lines.Skip(1)]);
        var r = BehaviorAnalysis.Analyze(hostile, _plan);
        var c = BehaviorAnalysis.Analyze(_run, _plan);
        Assert.Equal(c.Behaviour.Single(b => b.Model == BehaviorLayout.BaseKey), r.Behaviour.Single(b => b.Model == BehaviorLayout.BaseKey));
        var warning = Assert.Single(r.Warnings, w => w.Contains("counted once"));
        Assert.Contains($"{lines.Length - 1} rows excluded", warning);
    }

    [Fact]
    public void Duplicated_self_report_rows_count_once_with_a_warning()
    {
        var hostile = Copy();
        var path = Path.Combine(hostile, BehaviorLayout.SelfReportsFile(BehaviorLayout.BaseKey));
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, [.. lines, lines[3]]);
        var r = BehaviorAnalysis.Analyze(hostile, _plan);
        var c = BehaviorAnalysis.Analyze(_run, _plan);
        Assert.Equal(c.SelfReports.Where(s => s.Model == BehaviorLayout.BaseKey).Select(Numbers), r.SelfReports.Where(s => s.Model == BehaviorLayout.BaseKey).Select(Numbers));
        Assert.Contains(r.Warnings, w => w.Contains($":{lines.Length + 1} (repeats line 4)"));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("\n")]
    [InlineData("")]
    public void Choices_file_with_no_rows_is_named_and_the_model_left_out_of_the_correlation_with_a_warning(string content)
    {
        var hostile = Copy();
        var key = _plan.Models.First().Key;
        var path = Path.Combine(hostile, BehaviorLayout.ChoicesFile(key));
        File.WriteAllText(path, content == "header" ? File.ReadLines(path).First() + "\n" : content);
        var r = BehaviorAnalysis.Analyze(hostile, _plan);
        Assert.Contains(r.Warnings, w => w.StartsWith(BehaviorLayout.ChoicesFile(key) + ": the file"));
        Assert.Contains(r.Warnings, w => w.Contains("correlation") && w.Contains(key));
        Assert.DoesNotContain(r.Behaviour, b => b.Model == key);

        // Every warning lands in summary.json and in the table.
        var outcome = BehaviorOutput.Write(hostile, r);
        using var summary = JsonDocument.Parse(File.ReadAllText(outcome.SummaryFile));
        Assert.Equal(r.Warnings, summary.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList());
        Assert.Contains("warning: " + r.Warnings[0], outcome.Table);
    }
}
