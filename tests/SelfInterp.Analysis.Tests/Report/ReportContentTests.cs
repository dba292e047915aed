using SelfInterp.Experiments.Preferences;
using System.Xml.Linq;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Tests.Report;

/// <summary>One simulated paper-sized run, analysed once, shared by the report content tests.</summary>
public sealed class PaperRunFixture : IDisposable
{
    public TempDirectory Root { get; } = new();
    public string RunDir { get; }
    public AnalysisSummary Summary { get; }

    public PaperRunFixture()
    {
        RunDir = SimulatedPaperRun.CreateAsync(Path.Combine(Root.Path, "run")).GetAwaiter().GetResult();
        Summary = Analyzer.Analyze(RunDir);
    }

    public void Dispose() => Root.Dispose();
}

public class ReportContentTests(PaperRunFixture run) : IClassFixture<PaperRunFixture>
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    /// <summary>The report is well-formed XML apart from its doctype, so the tests read it as such.</summary>
    private static XElement ParseHtml(string html) => XElement.Parse(html["<!DOCTYPE html>\n".Length..]);

    private static IEnumerable<XElement> WithClass(XElement root, string cssClass) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    private static XElement Svg(XElement html, string id) =>
        html.Descendants(S + "svg").SingleOrDefault(e => (string?)e.Attribute("id") == id) ?? throw new Xunit.Sdk.XunitException($"no chart {id}");

    private (string Html, string Markdown, XElement Root) Write(string dir, AnalysisSummary summary)
    {
        var (html, md) = RunReport.Write(dir, summary);
        var text = File.ReadAllText(html);
        return (text, File.ReadAllText(md), ParseHtml(text));
    }

    [Fact]
    public void Every_chart_has_one_mark_per_pair_and_one_bar_per_measure()
    {
        var (_, _, root) = Write(run.RunDir, run.Summary);
        var m = run.Summary.Models.Single();
        Assert.Equal(500, m.Instillation!.Pairs.Count);
        Assert.Equal(m.Instillation.Pairs.Count, WithClass(Svg(root, "m1-instillation"), "point").Count());
        foreach (var (id, stats) in new[] { ("base", m.Reports.Base), ("instilled", m.Reports.Instilled), ("itrained-held-out", m.Reports.ItrainedHeldOut),
                                            ("native-before", m.Reports.NativeBefore), ("native-after", m.Reports.NativeAfter) })
        {
            var svg = Svg(root, "m1-" + id);
            Assert.Equal(stats!.Pairs.Count, WithClass(svg, "point").Count());
            Assert.Single(WithClass(svg, "fit-line"));
        }
        // The held-out chart shows its halves apart: triangles for the first-half model, circles for the second.
        var heldOut = WithClass(Svg(root, "m1-itrained-held-out"), "point").ToList();
        Assert.Equal(m.Reports.ItrainedFirstHalf!.Pairs.Count, heldOut.Count(e => e.Name.LocalName == "polygon"));
        var slopes = Svg(root, "m1-slopes");
        Assert.Equal(7, WithClass(slopes, "bar").Count());
        Assert.Equal(7, WithClass(slopes, "errorbar").Count());
        Assert.Equal(ConditionInfo.All.Select(c => c.Label), WithClass(slopes, "category").Select(g => (string)g.Attribute("data-label")!));
        Assert.Equal(7, root.Descendants(S + "svg").Count());
    }

    [Fact]
    public void Hover_titles_and_tables_carry_the_numbers_of_the_analysis()
    {
        var (_, md, root) = Write(run.RunDir, run.Summary);
        var m = run.Summary.Models.Single();
        var instilled = m.Reports.Instilled!;
        var bar = WithClass(Svg(root, "m1-slopes"), "bar").ElementAt(1);
        Assert.Contains($"slope {ReportFigures.F(instilled.Slope)}, 95% interval [{ReportFigures.F(instilled.Low)}, {ReportFigures.F(instilled.High)}]",
            (string)bar.Element(S + "title")!);
        Assert.Contains("paper: GPT-4o 0.54, GPT-4o-mini 0.50", (string)bar.Element(S + "title")!);

        var pair = instilled.Pairs[7];
        var point = WithClass(Svg(root, "m1-instilled"), "point").ElementAt(7);
        Assert.Contains($"scenario {pair.Scenario} · ", (string)point.Element(S + "title")!);
        Assert.Contains($"learned {pair.Learned:0} (z {ReportFigures.F(pair.ZLearned)})", ((string)point.Element(S + "title")!).Replace('\u2212', '-'));

        string row = $"| instilled model | {ReportText.F3(instilled.Slope)} | {ReportText.Interval(instilled.Low, instilled.High)} | {ReportText.F3(instilled.R)} | 500 | {instilled.BadReports} |";
        Assert.Contains(row, md);
        var measures = root.Descendants("table").Single(t => (string?)t.Attribute("class") == "measures");
        Assert.Contains(measures.Descendants("tr"), tr => tr.Elements().Select(e => e.Value).SequenceEqual(
            ["instilled model", ReportText.F3(instilled.Slope), ReportText.Interval(instilled.Low, instilled.High), ReportText.F3(instilled.R), "500",
             instilled.BadReports.ToString(), "0",
             $"{ReportText.F3(m.VersusTarget!.Instilled!.Slope)} {ReportText.Interval(m.VersusTarget.Instilled.Low, m.VersusTarget.Instilled.High)}", "0.54", "0.50"]));
        Assert.Contains($"| instillation: learned vs target weights (r) |  |  | {ReportText.F3(m.Instillation!.R)} | 500 |", md);
    }

    [Fact]
    public void The_report_leads_with_the_condition_chart_and_the_measures_then_what_was_run()
    {
        var (_, md, root) = Write(run.RunDir, run.Summary);
        var order = root.Descendants().ToList();
        int chart = order.IndexOf(Svg(root, "m1-slopes"));
        int measures = order.IndexOf(root.Descendants("table").Single(t => (string?)t.Attribute("class") == "measures"));
        int config = order.IndexOf(root.Descendants("section").Single(e => (string?)e.Attribute("id") == "run"));
        int firstScatter = order.IndexOf(Svg(root, "m1-instillation"));
        Assert.True(chart < measures && measures < firstScatter && firstScatter < config, $"{chart} {measures} {firstScatter} {config}");
        Assert.True(md.IndexOf("| measure | slope |", StringComparison.Ordinal) < md.IndexOf("## What was run", StringComparison.Ordinal));

        // The measures: the positive control and both ways of computing each effect, labelled.
        var m = run.Summary.Models.Single();
        Assert.Contains($"| base model vs its own choices (positive control) | {ReportText.F3(m.BaseOwn!.Slope)} |", md);
        Assert.Contains($"| itraining effect (held-out − instilled), paired bootstrap | {ReportText.F3(m.PairedItrainingEffect!.Difference)} | " +
                        $"{ReportText.Interval(m.PairedItrainingEffect.Low, m.PairedItrainingEffect.High)} |", md);
        Assert.Contains($"| itraining effect, paper's interaction model | {ReportText.F3(m.ItrainingEffect!.Difference)} | " +
                        $"{ReportText.Interval(m.ItrainingEffect.Low, m.ItrainingEffect.High)} |", md);
        Assert.Contains("native effect, paper's interaction model", root.Value);
    }

    [Fact]
    public void What_was_run_comes_from_run_json()
    {
        var (_, md, root) = Write(run.RunDir, run.Summary);
        var manifest = RunManifest.Load(Path.Combine(run.RunDir, PaperLayout.RunManifestFile));
        var text = root.Value;
        Assert.Contains("simulated", text);
        Assert.Contains(manifest.Models[PreferencesStages.ItrainedAllKey].Id!, text);
        Assert.Contains(manifest.Config.Seeds.ReportTrials.ToString(), text);
        Assert.Contains("backend option report_noise300", text);
        var stages = root.Descendants("table").Single(t => (string?)t.Attribute("class") == "stages");
        Assert.Equal(new PreferencesExperiment().Open(manifest.Config).Stages.Stages.Select(s => s.Name).Append("total"), stages.Descendants("tbody").Single().Elements("tr").Select(tr => tr.Elements().First().Value));
        Assert.Contains($"| reports_base | done | {manifest.Stages["reports_base"].Seconds:F3} |", md);
        Assert.DoesNotContain("no run.json", md, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Bad_replies_are_counted_from_the_raw_replies_and_shown()
    {
        var (_, md, root) = Write(run.RunDir, run.Summary);
        var m = run.Summary.Models.Single();
        Assert.True(m.Reports.Base!.BadReports > 0);
        var table = root.Descendants("table").First(t => (string?)t.Attribute("class") == "bad-reports");
        var baseRow = table.Descendants("tr").Single(tr => tr.Elements().First().Value == "base model (control)").Elements().Select(e => e.Value).ToList();
        Assert.Equal(["base model (control)", "replies/reports_base.jsonl", "1000", m.Reports.Base.BadReports.ToString(), m.Reports.Base.BadReports.ToString()], baseRow);
        Assert.Equal(6 * BadReplies.ExamplesPerCondition, WithClass(root, "reply").Count());
        Assert.All(WithClass(root, "reply"), e => Assert.Equal("I weigh everything about equally.", e.Value));
        Assert.Contains("  I weigh everything about equally.", md);
        Assert.DoesNotContain(root.Descendants("li"), li => li.Value.Contains("are bad reports (unparseable or off the scale)"));
    }

    [Fact]
    public void Hostile_reply_text_is_escaped_and_a_changed_replies_file_is_flagged()
    {
        using var dir = new TempDirectory();
        CopyRun(run.RunDir, dir.Path);
        var replies = Path.Combine(dir.Path, "replies", "reports_instilled.jsonl");
        var lines = File.ReadAllLines(replies);
        lines[0] = "{\"i\":0,\"reply\":\"</pre><script>alert('x')</script> | `` ```\"}";
        File.WriteAllLines(replies, lines);
        var (html, md, root) = Write(dir.Path, run.Summary);
        Assert.DoesNotContain("<script", html);
        Assert.Contains(WithClass(root, "reply"), e => e.Value.StartsWith("</pre><script>alert('x')</script>"));
        Assert.Contains(root.Descendants("li"), li => li.Value.Contains("replies/reports_instilled.jsonl") && li.Value.Contains("are bad reports (unparseable or off the scale)"));
        Assert.Contains("  ````text\n  </pre><script>alert('x')</script> | `` ```\n  ````", md);
    }

    [Fact]
    public void The_authors_layout_without_run_json_or_replies_renders_and_says_what_is_missing()
    {
        using var dir = new TempDirectory();
        SimulatedPaperRun.CopyAsPublishedLayout(run.RunDir, dir.Path);
        File.Delete(Path.Combine(dir.Path, PaperLayout.Reports("simulated-base", ReportCondition.NativeAfter, ReportCounts.Paper)));
        var summary = Analyzer.Analyze(dir.Path);
        var (html, md, root) = Write(dir.Path, summary);
        Assert.Contains("no run.json", root.Value, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("No `run.json`", md);
        Assert.Contains("No raw replies", md);
        Assert.Empty(WithClass(root, "reply"));
        Assert.Equal(6, WithClass(Svg(root, "m1-slopes"), "bar").Count());
        Assert.Equal(6, root.Descendants(S + "svg").Count()); // no native-after scatter
        Assert.Contains(root.Descendants("li"), li => li.Value == "missing file simulated-base_itrained_all_*_*ex_latent_weight_reports.csv: no 'native, after itraining' measure");
        var files = root.Descendants("table").Single(t => (string?)t.Attribute("class") == "files");
        Assert.Contains(files.Descendants("tr"), tr => tr.Elements().Select(e => e.Value).SequenceEqual(
            ["simulated-base_instilled_latent_selections.csv", "10000", "100 (100–199)", "ft:simulated-base:instilled:" + IdSuffix(root), ""]));
    }

    private static string IdSuffix(XElement root) =>
        root.Descendants("td").Select(t => t.Value).First(v => v.StartsWith("ft:simulated-base:instilled:"))["ft:simulated-base:instilled:".Length..];

    [Fact]
    public void Two_base_models_in_the_published_layout_get_a_section_each()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 3, Models = ["gpt-4o", "gpt-4o-mini"], InstilledScenarios = 10, NativeScenarios = 6, ReportNoise = 30 }.Write(dir.Path);
        var summary = Analyzer.Analyze(dir.Path);
        var (_, md, root) = Write(dir.Path, summary);
        Assert.Equal(["m1", "m2"], root.Descendants("section").Where(s => (string?)s.Attribute("class") == "model").Select(s => (string)s.Attribute("id")!));
        Assert.Equal(50, WithClass(Svg(root, "m2-instillation"), "point").Count());
        Assert.Contains("## Base model `gpt-4o-mini`", md);
    }

    [Fact]
    public void Too_few_data_is_warned_about()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 4, Models = ["m"], InstilledScenarios = 2, NativeScenarios = 1, ReportNoise = 30 }.Write(dir.Path);
        var summary = Analyzer.Analyze(dir.Path);
        var (_, _, root) = Write(dir.Path, summary);
        var warnings = root.Descendants("li").Select(l => l.Value).ToList();
        Assert.Contains(warnings, w => w.StartsWith("itrained 1st half, reports on 2nd: only 5 scenario × attribute pairs"));
        Assert.Contains(warnings, w => w.StartsWith("native, before itraining: only 5 scenario × attribute pairs"));
    }

    [Fact]
    public void A_failed_regression_is_warned_about_by_file_and_scenario()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 5, Models = ["m"], InstilledScenarios = 6, NativeScenarios = 2, ReportNoise = 30 }.Write(dir.Path);
        // Scenario 2 always chooses A: nothing to learn its weights from.
        var file = dir.File(PaperLayout.InstilledSelections("m"));
        var lines = File.ReadAllLines(file);
        int selection = Array.IndexOf(lines[0].Split(','), "selection");
        for (int i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(',');
            if (fields[1] == "2") { fields[selection] = "A"; lines[i] = string.Join(',', fields); }
        }
        File.WriteAllLines(file, lines);
        var summary = Analyzer.Analyze(dir.Path);
        var failed = Assert.Single(summary.Models.Single().FailedScenarios);
        var (_, md, root) = Write(dir.Path, summary);
        var warning = $"regression failed: {PaperLayout.InstilledSelections("m")} scenario 2: {failed.Reason}";
        Assert.Contains(root.Descendants("li"), li => li.Value == warning);
        Assert.Contains("- " + MarkdownReport.Escape(warning), md);
        Assert.Equal(25, WithClass(Svg(root, "m1-instillation"), "point").Count()); // five scenarios left
    }

    [Fact]
    public void Writing_twice_gives_the_same_bytes()
    {
        var (a, b) = RunReport.Write(run.RunDir, run.Summary);
        var first = (File.ReadAllBytes(a), File.ReadAllBytes(b));
        RunReport.Write(run.RunDir, Analyzer.Analyze(run.RunDir));
        Assert.Equal(first.Item1, File.ReadAllBytes(a));
        Assert.Equal(first.Item2, File.ReadAllBytes(b));
    }

    [Fact]
    public void The_html_fetches_nothing()
    {
        var (html, _, _) = Write(run.RunDir, run.Summary);
        Assert.Equal(html.Length, html.Replace("<script", "").Replace("<link", "").Replace("<img", "").Replace("@import", "").Replace("url(", "").Length);
        var urls = System.Text.RegularExpressions.Regex.Matches(html, "https?://[^\"' <]*").Select(x => x.Value).Distinct().ToList();
        Assert.Equal(["http://www.w3.org/2000/svg"], urls); // the SVG namespace name, never fetched
        Assert.Contains("Content-Security-Policy", html);
    }

    [Fact]
    public void Condition_stage_names_are_the_pipelines()
    {
        var stages = new PreferencesExperiment().Open(SimulatedPaperRun.Config()).Stages.Stages.Select(s => s.Name).ToHashSet();
        Assert.All(ConditionInfo.All.Where(c => c.Stage is not null), c => Assert.Contains(c.Stage!, stages));
        Assert.Equal(6, ConditionInfo.All.Count(c => c.File is not null));
    }

    private static void CopyRun(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
