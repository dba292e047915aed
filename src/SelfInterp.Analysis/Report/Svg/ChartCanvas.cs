namespace SelfInterp.Analysis.Report.Svg;

/// <summary>
/// The parts every chart shares: the root &lt;svg&gt; with its accessible name and description, the plot
/// rectangle, grid lines, axes with tick marks and labels, and axis titles.
/// </summary>
public sealed class ChartCanvas
{
    public const double TickFont = 11, AxisTitleFont = 12, TickLength = 5, Pad = 8;

    public double Width { get; }
    public double Height { get; }
    /// <summary>The plot rectangle, in the SVG's own units.</summary>
    public double Left { get; }
    public double Top { get; }
    public double Right { get; }
    public double Bottom { get; }

    public ChartCanvas(double width, double height, double left, double top, double right, double bottom)
    {
        if (!(left < right && top < bottom && right <= width && bottom <= height))
            throw new ArgumentException($"the plot rectangle [{left}, {right}] × [{top}, {bottom}] does not fit a {width} × {height} chart");
        (Width, Height, Left, Top, Right, Bottom) = (width, height, left, top, right, bottom);
    }

    /// <summary>The left margin that holds the rotated y title, the widest tick label and the tick marks.</summary>
    public static double LeftMargin(NiceTicks yTicks) =>
        Pad + AxisTitleFont + Pad + yTicks.Values.Max(v => TextMetrics.Width(yTicks.Label(v), TickFont)) + TickLength + 4;

    /// <summary>The bottom margin under numeric x ticks: tick, label, gap, axis title.</summary>
    public static double BottomMargin(int tickLabelLines = 1) =>
        TickLength + 4 + tickLabelLines * (TickFont + 3) + Pad + AxisTitleFont + Pad;

    public static void OpenRoot(Markup svg, string id, double width, double height, string title, string description, string kind)
    {
        svg.Open("svg", ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", $"0 0 {Markup.Coordinate(width)} {Markup.Coordinate(height)}"),
            ("width", Markup.Coordinate(width)), ("height", Markup.Coordinate(height)), ("role", "img"),
            ("aria-labelledby", $"{id}-title {id}-desc"), ("class", "chart " + kind), ("id", id), ("data-chart", id),
            ("font-family", TextMetrics.FontFamily));
        svg.Text("title", title, ("id", id + "-title"));
        svg.Text("desc", description, ("id", id + "-desc"));
        svg.Empty("rect", ("x", "0"), ("y", "0"), ("width", Markup.Coordinate(width)), ("height", Markup.Coordinate(height)), ("fill", "#FFFFFF"));
    }

    /// <summary>Scales onto the plot rectangle, optionally kept <paramref name="inset"/> pixels from its edges so
    /// markers on the axis ends are drawn whole rather than cut by the frame.</summary>
    public LinearScale XScale(NiceTicks ticks, double inset = 0) => new(ticks.Start, ticks.End, Left + inset, Right - inset);
    public LinearScale YScale(NiceTicks ticks, double inset = 0) => new(ticks.Start, ticks.End, Bottom - inset, Top + inset);

    /// <summary>Horizontal grid lines, y tick marks and labels, and the rotated y title.</summary>
    public void YAxis(Markup svg, NiceTicks ticks, LinearScale y, string title)
    {
        svg.Open("g", ("class", "axis y-axis"));
        foreach (double v in ticks.Values)
        {
            var py = C(y.Map(v));
            svg.Empty("line", ("x1", C(Left)), ("y1", py), ("x2", C(Right)), ("y2", py), ("stroke", Palette.Grid), ("stroke-width", "1"), ("class", "grid"));
            svg.Empty("line", ("x1", C(Left - TickLength)), ("y1", py), ("x2", C(Left)), ("y2", py), ("stroke", Palette.Axis), ("stroke-width", "1"));
            svg.Text("text", ticks.Label(v), ("x", C(Left - TickLength - 3)), ("y", C(y.Map(v) + TickFont * 0.36)), ("text-anchor", "end"),
                ("font-size", C(TickFont)), ("fill", Palette.Ink), ("class", "tick-label"));
        }
        svg.Empty("line", ("x1", C(Left)), ("y1", C(Top)), ("x2", C(Left)), ("y2", C(Bottom)), ("stroke", Palette.Axis), ("stroke-width", "1"));
        double cx = Pad + AxisTitleFont * 0.8, cy = (Top + Bottom) / 2;
        svg.Text("text", title, ("x", C(cx)), ("y", C(cy)), ("transform", $"rotate(-90 {C(cx)} {C(cy)})"), ("text-anchor", "middle"),
            ("font-size", C(AxisTitleFont)), ("fill", Palette.Ink), ("class", "axis-title"));
        svg.Close("g");
    }

    /// <summary>Vertical grid lines, x tick marks and labels, and the x title under them.</summary>
    public void XAxis(Markup svg, NiceTicks ticks, LinearScale x, string title)
    {
        svg.Open("g", ("class", "axis x-axis"));
        foreach (double v in ticks.Values)
        {
            var px = C(x.Map(v));
            svg.Empty("line", ("x1", px), ("y1", C(Top)), ("x2", px), ("y2", C(Bottom)), ("stroke", Palette.Grid), ("stroke-width", "1"), ("class", "grid"));
            svg.Empty("line", ("x1", px), ("y1", C(Bottom)), ("x2", px), ("y2", C(Bottom + TickLength)), ("stroke", Palette.Axis), ("stroke-width", "1"));
            svg.Text("text", ticks.Label(v), ("x", px), ("y", C(Bottom + TickLength + 3 + TickFont)), ("text-anchor", "middle"),
                ("font-size", C(TickFont)), ("fill", Palette.Ink), ("class", "tick-label"));
        }
        XBaseline(svg);
        XTitle(svg, title, 1);
        svg.Close("g");
    }

    public void XBaseline(Markup svg) =>
        svg.Empty("line", ("x1", C(Left)), ("y1", C(Bottom)), ("x2", C(Right)), ("y2", C(Bottom)), ("stroke", Palette.Axis), ("stroke-width", "1"));

    public void XTitle(Markup svg, string title, int tickLabelLines) =>
        svg.Text("text", title, ("x", C((Left + Right) / 2)),
            ("y", C(Bottom + TickLength + 4 + tickLabelLines * (TickFont + 3) + Pad + AxisTitleFont * 0.8)),
            ("text-anchor", "middle"), ("font-size", C(AxisTitleFont)), ("fill", Palette.Ink), ("class", "axis-title"));

    private static string C(double v) => Markup.Coordinate(v);
}
