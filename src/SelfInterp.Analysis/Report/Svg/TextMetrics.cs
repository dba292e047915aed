namespace SelfInterp.Analysis.Report.Svg;

/// <summary>
/// Estimated text widths for laying out charts before a browser measures them. The per-character widths are
/// those of a wide sans-serif (DejaVu Sans, the Linux default, is wider than Arial or Helvetica), rounded up, so
/// text laid out with them fits in any common sans-serif. The browser test checks the result.
/// </summary>
public static class TextMetrics
{
    public const string FontFamily = "'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif";

    public static double Width(string text, double fontSize)
    {
        double em = 0;
        foreach (char c in text)
            em += c switch
            {
                'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' => 0.32,
                ' ' or 'f' or 't' or 'r' or 'I' or '(' or ')' or '[' or ']' or '-' => 0.42,
                'm' or 'w' or 'M' or 'W' or '%' or '\u2212' or '\u2014' => 0.95,
                >= 'A' and <= 'Z' => 0.75,
                _ => 0.66,
            };
        return em * fontSize;
    }

    /// <summary>Words greedily packed into lines no wider than <paramref name="maxWidth"/> (a long word gets its own line).</summary>
    public static IReadOnlyList<string> Wrap(string text, double fontSize, double maxWidth)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Width(candidate, fontSize) > maxWidth)
            {
                lines.Add(line);
                line = word;
            }
            else line = candidate;
        }
        if (line.Length > 0) lines.Add(line);
        return lines;
    }
}
