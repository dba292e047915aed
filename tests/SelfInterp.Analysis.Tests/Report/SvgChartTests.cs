using System.Xml.Linq;
using SelfInterp.Analysis.Report.Svg;

namespace SelfInterp.Analysis.Tests.Report;

public class SvgChartTests
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    private static XElement Parse(string svg) => XElement.Parse(svg);

    private static IEnumerable<XElement> WithClass(XElement root, string cssClass) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    [Fact]
    public void Escape_neutralises_markup_and_forbidden_characters()
    {
        Assert.Equal("&lt;script&gt;a &amp; b&lt;/script&gt; &quot;q&quot; &#39;s&#39;", Markup.Escape("<script>a & b</script> \"q\" 's'"));
        Assert.Equal("bell\uFFFD tab\t", Markup.Escape("bell\u0007 tab\t"));
        var m = new Markup().Text("text", "</svg><b>", ("data-x", "\"><script>"));
        Assert.Equal("<text data-x=\"&quot;&gt;&lt;script&gt;\">&lt;/svg&gt;&lt;b&gt;</text>", m.ToString());
    }

    private static ScatterChart Scatter(string name, params ScatterPoint[] points) => new("c1", "Chart <1>", "x & y", "why \"y\"",
        [new ScatterSeries(name, Palette.Blue, MarkerShape.Circle, points)],
        [new ChartLine("fit", 0.5, 0, Palette.Vermillion, false, "fit <line>")]);

    [Fact]
    public void Scatter_draws_one_titled_mark_per_finite_point_and_survives_hostile_text()
    {
        var points = Enumerable.Range(0, 40).Select(i => new ScatterPoint(i - 20, (i - 20) * 0.4, $"point {i} <&>")).ToList();
        points.Add(new ScatterPoint(double.NaN, 1, "nan"));
        var svg = Scatter("series </text><script>", points.ToArray()).ToSvg();
        var root = Parse(svg); // well-formed XML despite the names
        var marks = WithClass(root, "point").ToList();
        Assert.Equal(40, marks.Count);
        Assert.All(marks, m => Assert.StartsWith("point ", (string)m.Element(S + "title")!));
        Assert.Equal("point 3 <&>", (string)marks[3].Element(S + "title")!);
        Assert.Contains(root.Descendants(S + "text"), t => t.Value == "series </text><script>");
        Assert.DoesNotContain("<script", svg);
        Assert.Contains("1 not finite", (string)root.Element(S + "desc")!);
        Assert.Equal("c1-title c1-desc", (string)root.Attribute("aria-labelledby")!);
        Assert.Single(WithClass(root, "fit-line"));
    }

    [Fact]
    public void A_connected_series_is_a_curve_through_its_points_in_order_with_their_intervals_and_an_open_end_runs_to_the_edge()
    {
        var curve = new ScatterSeries("curve", Palette.Orange, MarkerShape.Circle,
            [new ScatterPoint(0, 0, "a", -0.2, 0.1), new ScatterPoint(10, 0.5, "b", 0.4, 0.6), new ScatterPoint(20, 0.9, "c", 0.8, double.PositiveInfinity)], Connected: true);
        var root = Parse(new ScatterChart("c", "t", "x", "y", [curve], [], YDomain: (-1, 1)).ToSvg());
        var marks = WithClass(root, "point").Select(e => ((double)e.Attribute("cx")!, (double)e.Attribute("cy")!)).ToList();
        var line = WithClass(root, "curve").Single();
        Assert.Equal(string.Join(" ", marks.Select(m => $"{Markup.Coordinate(m.Item1)},{Markup.Coordinate(m.Item2)}")), (string)line.Attribute("points")!);
        var intervals = WithClass(root, "interval").ToList();
        Assert.Equal(3, intervals.Count);
        Assert.All(intervals.Zip(marks), p => Assert.Equal(p.Second.Item1, (double)p.First.Attribute("x1")!, 3));
        // Each interval spans its point; the open one reaches the top of the plot (y = 1, above the others).
        Assert.All(intervals.Zip(marks), p => Assert.InRange(p.Second.Item2, (double)p.First.Attribute("y2")!, (double)p.First.Attribute("y1")!));
        Assert.True((double)intervals[2].Attribute("y2")! < (double)intervals[1].Attribute("y2")!);
        // A series not asked to connect draws no curve and no intervals: existing charts are unchanged.
        var plain = Parse(new ScatterChart("c", "t", "x", "y", [curve with { Connected = false, Points = [new ScatterPoint(0, 0, "a")] }], []).ToSvg());
        Assert.Empty(WithClass(plain, "curve"));
        Assert.Empty(WithClass(plain, "interval"));
    }

    [Fact]
    public void Scatter_marks_sit_inside_the_plot_at_their_scaled_positions()
    {
        var root = Parse(new ScatterChart("c", "t", "x", "y", [new ScatterSeries("s", Palette.Blue, MarkerShape.Circle,
            [new ScatterPoint(-100, -100, "a"), new ScatterPoint(100, 100, "b"), new ScatterPoint(0, 0, "c")])], [],
            XDomain: (-100, 100), YDomain: (-100, 100)).ToSvg());
        var c = WithClass(root, "point").Select(e => ((double)e.Attribute("cx")!, (double)e.Attribute("cy")!)).ToList();
        Assert.True(c[0].Item1 < c[2].Item1 && c[2].Item1 < c[1].Item1, "x increases to the right");
        Assert.True(c[0].Item2 > c[2].Item2 && c[2].Item2 > c[1].Item2, "y increases upwards");
        Assert.Equal((c[0].Item1 + c[1].Item1) / 2, c[2].Item1, 1);
        var tickLabels = WithClass(root, "tick-label").Select(t => t.Value).ToList();
        Assert.Equal(10, tickLabels.Count); // five per axis: −100, −50, 0, 50, 100
        Assert.Contains("\u2212100", tickLabels);
        Assert.DoesNotContain(root.Descendants(S + "g"), g => (string?)g.Attribute("class") == "legend"); // one series, no lines
    }

    [Fact]
    public void Series_shapes_differ_and_the_legend_names_each_series_and_line()
    {
        var root = Parse(new ScatterChart("c", "t", "x", "y",
        [
            new ScatterSeries("first", Palette.Orange, MarkerShape.Triangle, [new ScatterPoint(0, 0, "a")]),
            new ScatterSeries("second", Palette.Blue, MarkerShape.Square, [new ScatterPoint(1, 1, "b")]),
        ], [new ChartLine("identity", 1, 0, Palette.Grey, true, "y = x")]).ToSvg());
        Assert.Equal(["polygon", "rect"], WithClass(root, "point").Select(e => e.Name.LocalName));
        Assert.Equal(["first", "second", "identity"], WithClass(root, "legend-entry").Select(e => e.Element(S + "text")!.Value));
        Assert.Equal("5 3", (string)WithClass(root, "legend-symbol").Last().Attribute("stroke-dasharray")!);
    }

    [Theory]
    [InlineData(1, 0, -1, 1)]     // identity across the square
    [InlineData(0, 0.5, -1, 1)]   // horizontal inside
    [InlineData(4, 0, -0.25, 0.25)] // steep: leaves through top and bottom
    public void Lines_are_clipped_to_the_plot(double slope, double intercept, double from, double to)
    {
        var x = new LinearScale(-1, 1, 0, 100);
        var y = new LinearScale(-1, 1, 100, 0);
        var clip = ScatterChart.Clip(new ChartLine("l", slope, intercept, Palette.Black, false, "l"), x, y);
        Assert.NotNull(clip);
        Assert.Equal(from, clip.Value.From, 9);
        Assert.Equal(to, clip.Value.To, 9);
        Assert.Null(ScatterChart.Clip(new ChartLine("l", 0, 3, Palette.Black, false, "l"), x, y));
        Assert.Null(ScatterChart.Clip(new ChartLine("l", double.NaN, 0, Palette.Black, false, "l"), x, y));
    }

    [Fact]
    public void Interval_chart_draws_a_bar_and_error_bar_per_finite_estimate_and_marks_the_rest_na()
    {
        var bars = new List<IntervalBar>
        {
            new("control", 0.05, -0.04, 0.14, Palette.Grey, "control", "control: 0.05"),
            new("instilled model", 0.54, 0.47, 0.61, Palette.Blue, "instilled", "instilled: 0.54"),
            new("negative", -0.3, -0.5, -0.1, Palette.Blue, "instilled", "neg"),
            new("too few", double.NaN, double.NaN, double.NaN, Palette.Orange, "other", "too few data"),
        };
        var root = Parse(new IntervalChart("s", "slopes", "slope", bars).ToSvg());
        var rects = WithClass(root, "bar").ToList();
        Assert.Equal(3, rects.Count);
        Assert.Equal(3, WithClass(root, "errorbar").Count());
        Assert.Equal(["0.05", "0.54", "\u22120.30", "n/a"], WithClass(root, "value-label").Select(t => t.Nodes().OfType<XText>().Single().Value));
        Assert.Equal(["control", "instilled", "other"], WithClass(root, "legend-entry").Select(e => e.Element(S + "text")!.Value));
        Assert.Equal("instilled: 0.54", (string)rects[1].Element(S + "title")!);
        // Heights are proportional to the estimates, and the negative bar hangs below the zero line.
        double zero = (double)WithClass(root, "zero-line").Single().Attribute("y1")!;
        Assert.Equal(0.54 / 0.05, (double)rects[1].Attribute("height")! / (double)rects[0].Attribute("height")!, 1);
        Assert.Equal(zero, (double)rects[2].Attribute("y")!, 1);
        Assert.Equal(zero, (double)rects[1].Attribute("y")! + (double)rects[1].Attribute("height")!, 1);
    }

    [Fact]
    public void Reference_values_are_hollow_titled_markers_beside_their_bar_and_in_the_legend()
    {
        var refs = new[] { new ReferenceMark("paper, GPT-4o", 0.54, MarkerShape.Diamond), new ReferenceMark("paper, GPT-4o-mini", 1.3, MarkerShape.Square) };
        var root = Parse(new IntervalChart("s", "slopes", "slope", [new("instilled", 0.5, 0.4, 0.6, Palette.Blue, "instilled", "t", refs)]).ToSvg());
        var marks = WithClass(root, "reference").ToList();
        Assert.Equal(["paper, GPT-4o: 0.54", "paper, GPT-4o-mini: 1.30"], marks.Select(m => (string)m.Element(S + "title")!));
        Assert.All(marks, m => Assert.Equal("#FFFFFF", (string)m.Attribute("fill")!));
        Assert.Equal(["instilled", "paper, GPT-4o", "paper, GPT-4o-mini"], WithClass(root, "legend-entry").Select(e => e.Element(S + "text")!.Value));
        // The axis grows to hold a reference above every bar.
        Assert.Contains("1.5", WithClass(root, "tick-label").Select(t => t.Value));
        Assert.Equal("0", Markup.Coordinate(-0.001));
        Assert.Equal("12.35", Markup.Coordinate(12.3456));
    }

    [Fact]
    public void Category_labels_wrap_to_their_band_and_legends_to_the_chart()
    {
        Assert.Equal(["itrained 1st", "half, reports", "on 2nd"], TextMetrics.Wrap("itrained 1st half, reports on 2nd", 11, 90));
        Assert.Equal(["unbreakable_long_word"], TextMetrics.Wrap("unbreakable_long_word", 11, 10));
        var entries = Enumerable.Range(0, 12).Select(i => new LegendEntry($"entry number {i}", Palette.Blue, LegendKind.Swatch)).ToList();
        var legend = new Legend(entries, 50, 300);
        Assert.True(legend.Rows > 2);
        var svg = new Markup();
        legend.Draw(svg, 0);
        var root = XElement.Parse("<svg xmlns=\"http://www.w3.org/2000/svg\">" + svg + "</svg>");
        foreach (var t in root.Descendants(S + "text"))
            Assert.True((double)t.Attribute("x")! + TextMetrics.Width(t.Value, Legend.FontSize) <= 350.01, t.Value);
    }

    /// <summary>A category label's horizontal extent on the page, from its SVG attributes: an upright label is centred on
    /// x, one turned −90° spans one line of text at x (glyphs left of their baseline, descenders right of it).</summary>
    private static (double From, double To) LabelExtent(XElement label)
    {
        double x = (double)label.Attribute("x")!, font = (double)label.Attribute("font-size")!;
        if (label.Attribute("transform") is not null) return (x - font * 0.8, x + font * 0.2);
        double width = label.Elements(S + "tspan").Select(t => TextMetrics.Width(t.Value, font)).DefaultIfEmpty(TextMetrics.Width(label.Value, font)).Max();
        return (x - width / 2, x + width / 2);
    }

    private static void AssertNoOverlap(IEnumerable<(double From, double To)> extents)
    {
        var sorted = extents.OrderBy(e => e.From).ToList();
        for (int i = 1; i < sorted.Count; i++)
            Assert.True(sorted[i - 1].To <= sorted[i].From, $"labels overlap: [{sorted[i - 1].From}, {sorted[i - 1].To}] and [{sorted[i].From}, {sorted[i].To}]");
    }

    [Fact]
    public void Adjacent_bars_with_one_label_share_one_centred_category_label_and_the_x_title_names_them()
    {
        string[] colours = [Palette.Grey, Palette.Orange, Palette.Blue];
        var bars = new[] { "embed", "L0 mid", "L0 post" }
            .SelectMany(label => colours.Select((c, k) => new IntervalBar(label, 0.1 * (k + 1), 0, 0.5, c, $"model {k}", label)))
            .Append(new IntervalBar("reports", 0.2, 0.1, 0.3, Palette.Blue, "model 2", "reports")).ToList();
        var root = Parse(new IntervalChart("p", "probes", "r", bars, XTitle: "hook point").ToSvg());
        var labels = WithClass(root, "category-label").ToList();
        Assert.Equal(["embed", "L0 mid", "L0 post", "reports"], labels.Select(l => l.Value));
        Assert.All(labels, l => Assert.Null(l.Attribute("transform")));
        // Each label sits under the middle of its bars.
        var rects = WithClass(root, "bar").ToList();
        double Centre(XElement r) => (double)r.Attribute("x")! + (double)r.Attribute("width")! / 2;
        Assert.Equal((Centre(rects[0]) + Centre(rects[2])) / 2, (double)labels[0].Attribute("x")!, 1);
        Assert.Equal(Centre(rects[9]), (double)labels[3].Attribute("x")!, 1);
        AssertNoOverlap(labels.Select(LabelExtent));
        Assert.Contains("hook point", WithClass(root, "axis-title").Select(t => t.Value));
        Assert.Contains("r", WithClass(root, "axis-title").Select(t => t.Value));
    }

    [Fact]
    public void Labels_too_wide_for_their_category_are_turned_upright_without_overlapping_and_stay_inside_the_chart()
    {
        var bars = Enumerable.Range(0, 30).Select(i => new IntervalBar($"blocks.{i}.hook_resid_mid", 0.5, 0.4, 0.6, Palette.Blue, "m", "t")).ToList();
        var chart = new IntervalChart("p", "probes", "r", bars, XTitle: "hook point");
        var root = Parse(chart.ToSvg());
        var labels = WithClass(root, "category-label").ToList();
        Assert.Equal(30, labels.Count);
        Assert.All(labels, l => Assert.Equal("rotate(-90 " + (string)l.Attribute("x")! + " " + (string)l.Attribute("y")! + ")", (string)l.Attribute("transform")!));
        AssertNoOverlap(labels.Select(LabelExtent));
        // Turned, a label runs down from the axis by its length; the x title sits below the longest.
        double title = WithClass(root, "axis-title").Where(t => t.Value == "hook point").Select(t => (double)t.Attribute("y")!).Single();
        double lowest = labels.Max(l => (double)l.Attribute("y")! + TextMetrics.Width(l.Value, IntervalChart.CategoryFont));
        Assert.True(lowest < title - ChartCanvas.AxisTitleFont * 0.8, $"labels end at {lowest}, the x title starts at {title - ChartCanvas.AxisTitleFont * 0.8}");
        Assert.True(title < chart.Height);
        // Thirty bars in 760 pixels leave no room for a value over each: none is drawn (the hover titles stay).
        Assert.Empty(WithClass(root, "value-label"));
        Assert.Equal(30, WithClass(root, "bar").Count(b => b.Element(S + "title") is not null));
        // The same labels in a chart wide enough for them stay upright.
        var wide = Parse((chart with { Width = 30 * 200 }).ToSvg());
        Assert.Equal(30, WithClass(wide, "value-label").Count());
        Assert.All(WithClass(wide, "category-label"), l => Assert.Null(l.Attribute("transform")));
        AssertNoOverlap(WithClass(wide, "category-label").Select(LabelExtent));
    }
}
