namespace SelfInterp.Analysis.Report.Svg;

/// <summary>A value to compare a bar with (a published result), drawn as a hollow marker beside the bar.</summary>
public sealed record ReferenceMark(string Source, double Value, MarkerShape Shape);

/// <summary>One category's estimate and its interval; a bar that is not finite is shown as "n/a".</summary>
public sealed record IntervalBar(string Label, double Estimate, double Low, double High, string Colour, string Group, string Title,
    IReadOnlyList<ReferenceMark>? References = null);

/// <summary>
/// Bars from zero to each estimate with error bars for the intervals, side by side, one per category (the
/// paper's main figure). Each bar carries a hover title and, when the values fit their bands, its value above (or
/// below) the interval; reference values sit beside their bar as hollow markers; colours and markers are explained by the legend. Adjacent bars with
/// the same label are one category (bars of several groups side by side) with one label centred under them; labels
/// wrap to fit their category's width, and when a single word is still too wide every label is turned to read
/// upwards, so many narrow categories (a model's layers) never overlap. An x title, when given, names the categories.
/// </summary>
public sealed record IntervalChart(
    string Id,
    string Title,
    string YTitle,
    IReadOnlyList<IntervalBar> Bars,
    double Width = 760,
    double Height = 380,
    int ValueDecimals = 2,
    string? XTitle = null)
{
    public const double ValueFont = 11, CategoryFont = 11;

    /// <summary>A category: the bars First..First+Count−1, which share one label.</summary>
    public sealed record Category(string Label, int First, int Count);

    /// <summary>Adjacent bars with equal labels, merged.</summary>
    public static List<Category> Categories(IReadOnlyList<IntervalBar> bars)
    {
        var runs = new List<Category>();
        for (int i = 0; i < bars.Count; i++)
            if (runs.Count > 0 && runs[^1].Label == bars[i].Label) runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            else runs.Add(new Category(bars[i].Label, i, 1));
        return runs;
    }

    public string ToSvg()
    {
        var finite = Bars.Where(IsFinite).ToList();
        var references = Bars.SelectMany(b => b.References ?? []).Where(r => double.IsFinite(r.Value)).ToList();
        var values = finite.SelectMany(b => new[] { b.Low, b.Estimate, b.High }).Concat(references.Select(r => r.Value)).ToList();
        // Room for value labels above and below the intervals: widen the data range by a share of its span.
        double min = Math.Min(0, values.Count == 0 ? 0 : values.Min());
        double max = Math.Max(0, values.Count == 0 ? 1 : values.Max());
        double span = Math.Max(max - min, 1e-9);
        // Value labels sit above positive bars and below negative ones; only that side needs room for a line of text.
        bool labelsBelow = finite.Any(b => b.Estimate < 0), labelsAbove = finite.Any(b => b.Estimate >= 0);
        var yTicks = NiceTicks.For(min < 0 ? min - (labelsBelow ? 0.12 : 0.03) * span : 0, max > 0 ? max + (labelsAbove ? 0.12 : 0.03) * span : 0);

        var groups = Bars.Select(b => (b.Group, b.Colour)).Distinct().Select(g => new LegendEntry(g.Group, g.Colour, LegendKind.Swatch))
            .Concat(references.Select(r => (r.Source, r.Shape)).Distinct().Select(r => new LegendEntry(r.Source, Palette.Ink, LegendKind.Marker, r.Shape, Hollow: true)))
            .ToList();
        double left = ChartCanvas.LeftMargin(yTicks);
        double right = Width - ChartCanvas.Pad;
        double band = (right - left) / Math.Max(1, Bars.Count);
        var categories = Categories(Bars);
        var labels = categories.Select(c => TextMetrics.Wrap(c.Label, CategoryFont, band * c.Count - 6)).ToList();
        bool rotated = categories.Zip(labels).Any(x => x.Second.Any(line => TextMetrics.Width(line, CategoryFont) > band * x.First.Count - 6));
        int labelLines = labels.Count == 0 ? 1 : labels.Max(l => l.Count);
        // Upright labels take lines of text; turned ones the widest label's length, in the same units.
        double labelDepth = rotated ? categories.Max(c => TextMetrics.Width(c.Label, CategoryFont)) : labelLines * (ChartCanvas.TickFont + 3);
        double bottomMargin = ChartCanvas.TickLength + 4 + labelDepth + (XTitle is null ? 0 : ChartCanvas.Pad + ChartCanvas.AxisTitleFont) + ChartCanvas.Pad;
        var legend = new Legend(groups, left, right - left);
        double top = ChartCanvas.Pad + legend.Height + 4 + ValueFont / 2;
        var canvas = new ChartCanvas(Width, Height, left, top, right, Height - bottomMargin);
        var y = canvas.YScale(yTicks);

        var description = $"Bar chart of {YTitle} with 95% intervals: " +
                          string.Join("; ", Bars.Select(b => $"{b.Label} {Value(b.Estimate)} [{Value(b.Low)}, {Value(b.High)}]")) + ".";
        var svg = new Markup();
        ChartCanvas.OpenRoot(svg, Id, Width, Height, Title, description, "intervals");
        canvas.YAxis(svg, yTicks, y, YTitle);
        legend.Draw(svg, ChartCanvas.Pad);

        // A value over each bar only where every value fits its band (bold text, a tenth wider): many narrow bars
        // keep their hover titles and the intervals, not a row of overlapping numbers.
        bool valuesFit = finite.All(b => TextMetrics.Width(Value(b.Estimate), ValueFont) * 1.1 <= band - 2);
        double zero = y.Map(0);
        svg.Open("g", ("class", "bars"));
        for (int i = 0; i < Bars.Count; i++)
        {
            var b = Bars[i];
            double centre = left + band * (i + 0.5), barWidth = Math.Min(band * 0.5, 52);
            svg.Open("g", ("class", "category"), ("data-label", b.Label));
            if (IsFinite(b))
            {
                double yEstimate = y.Map(b.Estimate);
                svg.WithTitle("rect", b.Title, ("x", C(centre - barWidth / 2)), ("y", C(Math.Min(zero, yEstimate))), ("width", C(barWidth)),
                    ("height", C(Math.Max(Math.Abs(zero - yEstimate), 0.5))), ("fill", b.Colour), ("class", "bar"));
                double yLow = y.Map(b.Low), yHigh = y.Map(b.High), cap = barWidth * 0.3;
                svg.Open("g", ("class", "errorbar"), ("stroke", Palette.Ink), ("stroke-width", "1.5"));
                svg.Title(b.Title);
                svg.Empty("line", ("x1", C(centre)), ("y1", C(yLow)), ("x2", C(centre)), ("y2", C(yHigh)));
                svg.Empty("line", ("x1", C(centre - cap)), ("y1", C(yLow)), ("x2", C(centre + cap)), ("y2", C(yLow)));
                svg.Empty("line", ("x1", C(centre - cap)), ("y1", C(yHigh)), ("x2", C(centre + cap)), ("y2", C(yHigh)));
                svg.Close("g");
                if (valuesFit)
                {
                    bool above = b.Estimate >= 0;
                    double labelY = above ? Math.Min(yHigh, yEstimate) - 5 : Math.Max(yLow, yEstimate) + 5 + ValueFont * 0.8;
                    svg.Text("text", Value(b.Estimate), ("x", C(centre)), ("y", C(labelY)), ("text-anchor", "middle"),
                        ("font-size", C(ValueFont)), ("font-weight", "bold"), ("fill", Palette.Ink), ("class", "value-label"));
                }
                var marks = (b.References ?? []).Where(r => double.IsFinite(r.Value)).ToList();
                for (int k = 0; k < marks.Count; k++)
                    Markers.Draw(svg, marks[k].Shape, centre + barWidth / 2 + Markers.Radius * (2 + 2.6 * k), y.Map(marks[k].Value), Palette.Ink,
                        "reference", $"{marks[k].Source}: {Value(marks[k].Value)}", hollow: true);
            }
            else
            {
                svg.Open("text", ("x", C(centre)), ("y", C(zero - 5)), ("text-anchor", "middle"), ("font-size", C(ValueFont)),
                    ("fill", Palette.Ink), ("class", "value-label missing"));
                svg.Title(b.Title).Content("n/a").Close("text");
            }
            svg.Close("g");
        }
        svg.Close("g");
        svg.Open("g", ("class", "category-labels"));
        for (int c = 0; c < categories.Count; c++)
        {
            double centre = left + band * (categories[c].First + categories[c].Count / 2.0), labelTop = canvas.Bottom + ChartCanvas.TickLength + 3;
            if (rotated)
            {
                // Read upwards, ending at the axis: the label's x extent is one line of text around the centre.
                double x = centre + CategoryFont * 0.36;
                svg.Text("text", categories[c].Label, ("x", C(x)), ("y", C(labelTop)), ("transform", $"rotate(-90 {C(x)} {C(labelTop)})"),
                    ("text-anchor", "end"), ("font-size", C(CategoryFont)), ("fill", Palette.Ink), ("class", "category-label"), ("data-rotated", "true"));
                continue;
            }
            svg.Open("text", ("x", C(centre)), ("y", C(labelTop + CategoryFont)), ("text-anchor", "middle"),
                ("font-size", C(CategoryFont)), ("fill", Palette.Ink), ("class", "category-label"));
            for (int k = 0; k < labels[c].Count; k++)
                svg.Text("tspan", labels[c][k], ("x", C(centre)), ("dy", k == 0 ? "0" : C(CategoryFont + 3)));
            svg.Close("text");
        }
        svg.Close("g");
        if (XTitle is not null)
            svg.Text("text", XTitle, ("x", C((left + right) / 2)), ("y", C(canvas.Bottom + ChartCanvas.TickLength + 4 + labelDepth + ChartCanvas.Pad + ChartCanvas.AxisTitleFont * 0.8)),
                ("text-anchor", "middle"), ("font-size", C(ChartCanvas.AxisTitleFont)), ("fill", Palette.Ink), ("class", "axis-title"));
        if (y.Contains(0))
            svg.Empty("line", ("x1", C(left)), ("y1", C(zero)), ("x2", C(right)), ("y2", C(zero)), ("stroke", Palette.Axis), ("stroke-width", "1.2"), ("class", "zero-line"));
        canvas.XBaseline(svg);
        svg.Close("svg");
        return svg.ToString();
    }

    private static bool IsFinite(IntervalBar b) => double.IsFinite(b.Estimate) && double.IsFinite(b.Low) && double.IsFinite(b.High);

    private string Value(double v) => NiceTicks.Format(v, ValueDecimals);

    private static string C(double v) => Markup.Coordinate(v);
}
