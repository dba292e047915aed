namespace SelfInterp.Analysis.Report.Svg;

/// <summary>How a legend entry is drawn: a marker (scatter series), a line (fitted or reference), or a swatch (bars).</summary>
public enum LegendKind { Marker, Line, DashedLine, Swatch }

public sealed record LegendEntry(string Label, string Colour, LegendKind Kind, MarkerShape Shape = MarkerShape.Circle, bool Hollow = false);

/// <summary>A legend laid out in rows across the top of a chart, wrapping when an entry would pass the right edge.</summary>
public sealed class Legend
{
    public const double FontSize = 11, RowHeight = 18, SymbolWidth = 18, Gap = 6, EntryGap = 16;
    private readonly List<(LegendEntry Entry, double X, int Row)> _placed = new();

    public int Rows { get; }
    public double Height => Rows * RowHeight;

    public Legend(IReadOnlyList<LegendEntry> entries, double left, double maxWidth)
    {
        double x = 0;
        int row = 0;
        foreach (var e in entries)
        {
            double w = SymbolWidth + Gap + TextMetrics.Width(e.Label, FontSize);
            if (x > 0 && x + w > maxWidth) { row++; x = 0; }
            _placed.Add((e, left + x, row));
            x += w + EntryGap;
        }
        Rows = entries.Count == 0 ? 0 : row + 1;
    }

    public void Draw(Markup svg, double top)
    {
        if (_placed.Count == 0) return;
        svg.Open("g", ("class", "legend"));
        foreach (var (e, x, row) in _placed)
        {
            double cy = top + row * RowHeight + RowHeight / 2;
            double cx = x + SymbolWidth / 2;
            svg.Open("g", ("class", "legend-entry"));
            switch (e.Kind)
            {
                case LegendKind.Marker:
                    Markers.Draw(svg, e.Shape, cx, cy, e.Colour, "legend-symbol", null, e.Hollow);
                    break;
                case LegendKind.Swatch:
                    svg.Empty("rect", ("x", Markup.Coordinate(x + 2)), ("y", Markup.Coordinate(cy - 6)), ("width", "14"), ("height", "12"),
                        ("fill", e.Colour), ("class", "legend-symbol"));
                    break;
                default:
                    svg.Empty("line", ("x1", Markup.Coordinate(x)), ("y1", Markup.Coordinate(cy)), ("x2", Markup.Coordinate(x + SymbolWidth)),
                        ("y2", Markup.Coordinate(cy)), ("stroke", e.Colour), ("stroke-width", "2"),
                        ("stroke-dasharray", e.Kind == LegendKind.DashedLine ? "5 3" : "none"), ("class", "legend-symbol"));
                    break;
            }
            svg.Text("text", e.Label, ("x", Markup.Coordinate(x + SymbolWidth + Gap)), ("y", Markup.Coordinate(cy + FontSize * 0.36)),
                ("font-size", Markup.Coordinate(FontSize)), ("fill", Palette.Ink));
            svg.Close("g");
        }
        svg.Close("g");
    }
}
