using System.Xml.Linq;
using SelfInterp.Analysis.Report.Svg;

namespace SelfInterp.WhiteBox.Tests;

/// <summary>whitebox.html from written probes.csv and interventions.csv (no model run): every chart titled with
/// both axes named, the hook point labels apart at the organism's real hook points, the interventions charted
/// against strength, and the guide named in plain text.</summary>
public class WhiteBoxReportTests
{
    static readonly XNamespace H = "http://www.w3.org/1999/xhtml", S = "http://www.w3.org/2000/svg";

    static XElement Page(string htmlPath) => XElement.Parse(File.ReadAllText(htmlPath).Replace("<!DOCTYPE html>", "")
        .Replace("<html lang=\"en\">", "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">"));

    static IEnumerable<XElement> WithClass(XElement root, string cssClass) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    [Fact]
    public void Every_chart_has_a_visible_title_and_both_axes_named()
    {
        var page = Page(SampleWhiteBoxRun.Write(2, [-50, -25, 25, 50], [0, 0.5, 2]));
        var figures = page.Descendants(H + "figure").ToList();
        // Probes: the learned weight at two sites, the instilled target at one; three intervention tests; the pruning curve and two revival curves.
        Assert.Equal(3 + 3 + 3, figures.Count);
        foreach (var figure in figures)
        {
            string caption = figure.Element(H + "figcaption")!.Value;
            var svg = figure.Element(S + "svg")!;
            Assert.Equal((string)svg.Element(S + "title")!, caption);
            Assert.Contains(" against ", caption);
            var axes = WithClass(svg, "axis-title").Select(t => t.Value).ToList();
            Assert.Equal(2, axes.Count);
            Assert.All(axes, a => Assert.False(string.IsNullOrWhiteSpace(a)));
        }
        Assert.Contains("hook point", WithClass(figures[0], "axis-title").Last().Value);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    public void Hook_point_labels_are_short_one_per_hook_point_and_never_overlap(int layers)
    {
        var page = Page(SampleWhiteBoxRun.Write(layers, [25], [0]));
        var probe = page.Descendants(S + "svg").First(s => ((string)s.Attribute("id")!).StartsWith("probe-", StringComparison.Ordinal));
        var labels = WithClass(probe, "category-label").ToList();
        var expected = ProbeStudy.Points(layers).Select(p => WhiteBoxReport.ShortLayer(p.Name)).Append("reports").ToList();
        Assert.Equal(expected, labels.Select(l => l.Value));
        Assert.Equal("embed", expected[0]);
        Assert.Equal("L0 mid", expected[1]);
        // Three models' bars per hook point, the label centred under them; extents from the estimated text widths.
        Assert.Equal(3 * expected.Count, WithClass(probe, "bar").Count());
        // Extents on the page: an upright label centred on x, one turned −90° a line of text wide at x.
        var sorted = labels.Select(l => ((double)l.Attribute("x")!, l.Attribute("transform") is null ? TextMetrics.Width(l.Value, IntervalChart.CategoryFont) : 0))
            .Select(l => l.Item2 > 0 ? (From: l.Item1 - l.Item2 / 2, To: l.Item1 + l.Item2 / 2) : (From: l.Item1 - IntervalChart.CategoryFont * 0.8, To: l.Item1 + IntervalChart.CategoryFont * 0.2))
            .OrderBy(e => e.From).ToList();
        for (int i = 1; i < sorted.Count; i++)
            Assert.True(sorted[i - 1].To < sorted[i].From, $"label {i - 1} ends at {sorted[i - 1].To}, label {i} starts at {sorted[i].From}");
        // The organism's two layers fit upright, with a value over every bar; twelve layers turn the labels and drop the values.
        Assert.Equal(layers == 2, labels.All(l => l.Attribute("transform") is null));
        Assert.Equal(layers == 2 ? 3 * expected.Count : 0, WithClass(probe, "value-label").Count());
        Assert.Equal("900", (string)probe.Attribute("width")!);
    }

    [Fact]
    public void Interventions_are_charted_against_strength_one_point_per_strength_measured()
    {
        double[] steer = [-50, -25, 0, 25, 50], scales = [0, 0.5, 2];
        var page = Page(SampleWhiteBoxRun.Write(2, steer, scales));
        foreach (var (test, strengths, xTitle) in new[] { ("steering", steer, "steering strength"), ("report_path_only", steer, "steering strength"), ("decision_path_only", scales, "scale of the A-vs-B read-out") })
        {
            var chart = page.Descendants(S + "svg").Single(s => (string)s.Attribute("id")! == $"intervention-{test}");
            var series = WithClass(chart, "series").ToList();
            Assert.Equal(4, series.Count);   // two models × (choice, report)
            foreach (var s in series)
                Assert.Equal(strengths.Length, WithClass(s, "point").Count());
            Assert.StartsWith(xTitle, WithClass(WithClass(chart, "x-axis").Single(), "axis-title").Single().Value);
        }
        var steering = page.Descendants(S + "svg").Single(s => (string)s.Attribute("id")! == "intervention-steering");
        Assert.Equal(["instilled at embed: choice", "instilled at embed: report", "itrained at L1 mid: choice", "itrained at L1 mid: report"],
            WithClass(steering, "series").Select(s => (string)s.Attribute("data-series")!));
        // A point's title carries its figure and interval, and the points climb with the strength as the data do.
        var choice = WithClass(WithClass(steering, "series").First(), "point").ToList();
        Assert.Equal("instilled at embed, -50: choice weight -50.00 [-60.00, -40.00], 20 scenarios", (string)choice[0].Element(S + "title")!);
        Assert.Equal(5, WithClass(WithClass(steering, "series").First(), "interval").Count());
    }

    [Fact]
    public void The_guide_is_named_in_plain_text_not_linked()
    {
        string html = SampleWhiteBoxRun.Write(2, [25], [0]);
        string text = File.ReadAllText(html);
        Assert.Contains("How to read this: docs/white-box.md in the SelfInterp repository.", text);
        Assert.DoesNotContain("href", text);
        Assert.Contains("`docs/white-box.md` in the SelfInterp repository", File.ReadAllText(Path.Combine(Path.GetDirectoryName(html)!, WhiteBoxReport.MarkdownFile)));
    }
    static InterventionRow Figure(string statistic, double value, double low, double high) =>
        new("steering", "instilled", "hook_embed", "all", statistic, 400, double.NaN, double.NaN, double.NaN, value, low, high);

    [Fact]
    public void The_steering_sentence_reads_the_curves_ratio_and_says_when_the_pooled_slope_disagrees()
    {
        var rows = new List<InterventionRow>
        {
            new("steering", "instilled", "hook_embed", "+50", "mean_change", 100, 35, 27, 42, -7, -21, 8),
            new("steering", "instilled", "hook_embed", "all", "dose_slope", 400, 0.6, 0.5, 0.7, -0.2, -0.35, -0.05),
            Figure("grounding_ratio", -0.31, -0.55, -0.08),
            Figure("report_on_choice_pooled", 0.15, -0.06, 0.34),
            Figure("report_on_choice_between_settings", -0.31, -0.6, 0.0),
            Figure("report_on_choice_within_setting", 0.2, 0.0, 0.4),
        };
        var sentences = WhiteBoxReport.Sentences(rows).ToList();
        Assert.Equal(2, sentences.Count);
        Assert.Contains("reports move -0.31 [-0.55, -0.08] points per point the choices move", sentences[0]);
        Assert.Contains("they read the representation that drives the choices with the wrong sign", sentences[0]);
        Assert.Contains("does not hold the curve's ratio -0.31", sentences[1]);
        Assert.Contains("across scenarios at one strength 0.20", sentences[1]);

        rows[2] = Figure("grounding_ratio", -0.31, -0.55, 0.08);
        Assert.Contains("no evidence that the reports read", WhiteBoxReport.Sentences(rows).First());
        // A pooled slope whose interval holds the ratio is said to agree.
        rows[3] = Figure("report_on_choice_pooled", -0.25, -0.5, 0.0);
        Assert.Contains("whose interval holds the curve's ratio", WhiteBoxReport.Sentences(rows).Last());
    }

    [Fact]
    public void The_readout_sentence_says_whether_the_cosine_is_beyond_both_nulls()
    {
        ReadoutRow Row(double cosine) => new("itrained", "hook_embed", "decision_name_probe", 1000, 0.9, cosine,
            new NullComparison(0.17, 0.5, 100), new NullComparison(0.3, 0.5, 100));
        Assert.Contains("the reports vary along the direction that codes the choices", WhiteBoxReport.ReadoutSentences([Row(0.6)]).Single());
        Assert.Contains("with the wrong sign", WhiteBoxReport.ReadoutSentences([Row(-0.6)]).Single());
        Assert.Contains("no evidence", WhiteBoxReport.ReadoutSentences([Row(0.25)]).Single());   // beyond the random null, not the shuffled one
    }
}
