namespace SelfInterp.Analysis.Report.Svg;

/// <summary>Point shapes, so series stay apart in grey-scale print and for readers who cannot tell the colours apart.</summary>
public enum MarkerShape { Circle, Triangle, Square, Diamond }

public static class Markers
{
    public const double Radius = 3.6;

    /// <summary>Draws one marker centred on (x, y); with a title, hovering it shows the title.</summary>
    /// <summary>Hollow markers (white inside, thicker outline) stand for reference values rather than data.</summary>
    public static void Draw(Markup svg, MarkerShape shape, double x, double y, string colour, string cssClass, string? title, bool hollow = false)
    {
        var paint = hollow
            ? new[] { ("fill", "#FFFFFF"), ("fill-opacity", "1"), ("stroke", colour), ("stroke-width", "1.6"), ("class", cssClass) }
            : new[] { ("fill", colour), ("fill-opacity", "0.55"), ("stroke", colour), ("stroke-width", "1"), ("class", cssClass) };
        (string, string)[] geometry = shape switch
        {
            MarkerShape.Circle => [("cx", C(x)), ("cy", C(y)), ("r", C(Radius))],
            MarkerShape.Square => [("x", C(x - Radius * 0.9)), ("y", C(y - Radius * 0.9)), ("width", C(Radius * 1.8)), ("height", C(Radius * 1.8))],
            MarkerShape.Triangle => [("points", $"{C(x)},{C(y - Radius * 1.2)} {C(x + Radius * 1.1)},{C(y + Radius * 0.8)} {C(x - Radius * 1.1)},{C(y + Radius * 0.8)}")],
            _ => [("points", $"{C(x)},{C(y - Radius * 1.25)} {C(x + Radius * 1.1)},{C(y)} {C(x)},{C(y + Radius * 1.25)} {C(x - Radius * 1.1)},{C(y)}")],
        };
        string element = shape switch { MarkerShape.Circle => "circle", MarkerShape.Square => "rect", _ => "polygon" };
        var attributes = geometry.Concat(paint).ToArray();
        if (title is null) svg.Empty(element, attributes);
        else svg.WithTitle(element, title, attributes);
    }

    private static string C(double v) => Markup.Coordinate(v);
}
