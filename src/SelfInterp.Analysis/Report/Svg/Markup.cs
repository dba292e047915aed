using System.Globalization;
using System.Text;

namespace SelfInterp.Analysis.Report.Svg;

/// <summary>
/// Writes SVG and HTML markup. Every attribute value and every text node passes through <see cref="Escape"/>,
/// so scenario names, model ids and raw model replies can never inject markup into the report.
/// </summary>
public sealed class Markup
{
    private readonly StringBuilder _text = new();

    /// <summary>Escapes the five XML special characters; valid in text and in double- or single-quoted attributes.
    /// Characters XML 1.0 forbids (control characters other than tab and newlines) become U+FFFD.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\t' or '\n' or '\r': sb.Append(c); break;
                default: sb.Append(c < ' ' || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate: at most two decimals, invariant culture, never "-0".</summary>
    public static string Coordinate(double v)
    {
        var s = Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    public Markup Open(string element, params (string Name, string Value)[] attributes)
    {
        AppendTag(element, attributes);
        _text.Append('>');
        return this;
    }

    public Markup Close(string element)
    {
        _text.Append("</").Append(element).Append('>');
        return this;
    }

    /// <summary>An element with no children.</summary>
    public Markup Empty(string element, params (string Name, string Value)[] attributes)
    {
        AppendTag(element, attributes);
        _text.Append("/>");
        return this;
    }

    /// <summary>An element whose only child is a hover <c>&lt;title&gt;</c>.</summary>
    public Markup WithTitle(string element, string title, params (string Name, string Value)[] attributes)
    {
        Open(element, attributes);
        Title(title);
        return Close(element);
    }

    /// <summary>An element holding escaped text.</summary>
    public Markup Text(string element, string text, params (string Name, string Value)[] attributes)
    {
        return Open(element, attributes).Content(text).Close(element);
    }

    public Markup Title(string title) => Text("title", title);

    /// <summary>Escaped text inside the element opened last.</summary>
    public Markup Content(string text)
    {
        _text.Append(Escape(text));
        return this;
    }

    /// <summary>Markup made by another <see cref="Markup"/> (a chart's SVG), so already escaped.</summary>
    public Markup Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public Markup NewLine()
    {
        _text.Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    private void AppendTag(string element, (string Name, string Value)[] attributes)
    {
        _text.Append('<').Append(element);
        foreach (var (name, value) in attributes)
            _text.Append(' ').Append(name).Append("=\"").Append(Escape(value)).Append('"');
    }
}
