namespace SelfInterp.Analysis.Report.Svg;

/// <summary>One point, with the text shown when the pointer rests on it, and optionally a vertical interval Low..High.</summary>
public sealed record ScatterPoint(double X, double Y, string Title, double Low = double.NaN, double High = double.NaN);

/// <summary>A series of points; <paramref name="Connected"/> joins them in order with a line (a curve over x).</summary>
public sealed record ScatterSeries(string Name, string Colour, MarkerShape Shape, IReadOnlyList<ScatterPoint> Points, bool Connected = false);

/// <summary>The line y = intercept + slope·x, drawn across the part of the plot it passes through (and, for a fit,
/// only over the x range of its data: From..To).</summary>
public sealed record ChartLine(string Name, double Slope, double Intercept, string Colour, bool Dashed, string Title,
    double From = double.NegativeInfinity, double To = double.PositiveInfinity);

/// <summary>
/// A scatter plot: series of points (each with a hover title), straight lines (fits, identity), nice ticks on
/// both axes and a legend on top. Points that are not finite are left out (and counted in the description).
/// </summary>
public sealed record ScatterChart(
    string Id,
    string Title,
    string XTitle,
    string YTitle,
    IReadOnlyList<ScatterSeries> Series,
    IReadOnlyList<ChartLine> Lines,
    (double Min, double Max)? XDomain = null,
    (double Min, double Max)? YDomain = null,
    double Width = 400,
    double Height = 390)
{
    public string ToSvg()
    {
        var points = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var xTicks = Ticks(XDomain, points.Select(p => p.X));
        var yTicks = Ticks(YDomain, points.SelectMany(p => new[] { p.Y, p.Low, p.High }).Where(double.IsFinite));

        var entries = Series.Where(s => Series.Count > 1 || Lines.Count > 0)
            .Select(s => new LegendEntry(s.Name, s.Colour, LegendKind.Marker, s.Shape))
            .Concat(Lines.Select(l => new LegendEntry(l.Name, l.Colour, l.Dashed ? LegendKind.DashedLine : LegendKind.Line)))
            .ToList();
        double left = ChartCanvas.LeftMargin(yTicks);
        double right = Width - ChartCanvas.Pad - TextMetrics.Width(xTicks.Label(xTicks.End), ChartCanvas.TickFont) / 2;
        var legend = new Legend(entries, left, Width - left - ChartCanvas.Pad);
        double top = ChartCanvas.Pad + legend.Height + (legend.Rows > 0 ? 4 : 0) + ChartCanvas.TickFont / 2;
        var canvas = new ChartCanvas(Width, Height, left, top, right, Height - ChartCanvas.BottomMargin());
        var x = canvas.XScale(xTicks, Markers.Radius * 1.5);
        var y = canvas.YScale(yTicks, Markers.Radius * 1.5);

        int dropped = Series.Sum(s => s.Points.Count) - points.Count;
        var description = $"Scatter plot of {YTitle} against {XTitle}: {points.Count} points" +
                          (dropped > 0 ? $" ({dropped} not finite, not shown)" : "") +
                          (Lines.Count > 0 ? "; lines: " + string.Join("; ", Lines.Select(l => l.Title)) : "") + ".";
        var svg = new Markup();
        ChartCanvas.OpenRoot(svg, Id, Width, Height, Title, description, "scatter");
        canvas.YAxis(svg, yTicks, y, YTitle);
        canvas.XAxis(svg, xTicks, x, XTitle);
        legend.Draw(svg, ChartCanvas.Pad);

        svg.Open("g", ("class", "points"));
        foreach (var s in Series)
        {
            svg.Open("g", ("class", "series"), ("data-series", s.Name));
            var shown = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (s.Connected && shown.Count > 1)
                svg.Empty("polyline", ("points", string.Join(" ", shown.Select(p => $"{C(x.Map(p.X))},{C(y.Map(p.Y))}"))),
                    ("fill", "none"), ("stroke", s.Colour), ("stroke-width", "1.5"), ("class", "curve"));
            foreach (var p in shown.Where(p => double.IsFinite(p.Low) || double.IsFinite(p.High)))
            {
                // An open end (an interval without a finite bound) runs to the plot's edge.
                double lo = double.IsFinite(p.Low) ? p.Low : y.DomainMin, hi = double.IsFinite(p.High) ? p.High : y.DomainMax;
                svg.Empty("line", ("x1", C(x.Map(p.X))), ("y1", C(y.Map(Math.Max(lo, y.DomainMin)))), ("x2", C(x.Map(p.X))), ("y2", C(y.Map(Math.Min(hi, y.DomainMax)))),
                    ("stroke", s.Colour), ("stroke-width", "1.2"), ("class", "interval"));
            }
            foreach (var p in shown)
                Markers.Draw(svg, s.Shape, x.Map(p.X), y.Map(p.Y), s.Colour, "point", p.Title);
            svg.Close("g");
        }
        svg.Close("g");

        foreach (var line in Lines)
            if (Clip(line, x, y) is var (x0, x1))
                svg.WithTitle("line", line.Title,
                    ("x1", C(x.Map(x0))), ("y1", C(y.Map(line.Intercept + line.Slope * x0))),
                    ("x2", C(x.Map(x1))), ("y2", C(y.Map(line.Intercept + line.Slope * x1))),
                    ("stroke", line.Colour), ("stroke-width", "2.5"), ("stroke-dasharray", line.Dashed ? "6 4" : "none"),
                    ("class", "fit-line"));
        svg.Close("svg");
        return svg.ToString();
    }

    private static NiceTicks Ticks((double Min, double Max)? fixedDomain, IEnumerable<double> values)
    {
        if (fixedDomain is var (min, max)) return NiceTicks.For(min, max);
        var list = values.ToList();
        return list.Count == 0 ? NiceTicks.For(-1, 1) : NiceTicks.For(list.Min(), list.Max());
    }

    /// <summary>The x interval over which the line stays inside the plot, or null if it never enters it.</summary>
    public static (double From, double To)? Clip(ChartLine line, LinearScale x, LinearScale y)
    {
        if (!double.IsFinite(line.Slope) || !double.IsFinite(line.Intercept)) return null;
        double lo = Math.Max(x.DomainMin, line.From), hi = Math.Min(x.DomainMax, line.To);
        if (line.Slope == 0)
            return y.Contains(line.Intercept) && lo < hi ? (lo, hi) : null;
        double a = (y.DomainMin - line.Intercept) / line.Slope, b = (y.DomainMax - line.Intercept) / line.Slope;
        lo = Math.Max(lo, Math.Min(a, b));
        hi = Math.Min(hi, Math.Max(a, b));
        return lo < hi ? (lo, hi) : null;
    }

    private static string C(double v) => Markup.Coordinate(v);
}
