using SelfInterp.Core.IO;
using System.Globalization;
using System.Text;

namespace SelfInterp.Core.Csv;

/// <summary>
/// Builds a CSV file in memory (invariant culture, '\n' line ends, quoting only where needed) and
/// writes it atomically, so identical inputs give identical bytes and a killed run never leaves half a file.
/// </summary>
public sealed class CsvWriter
{
    private readonly StringBuilder _text = new();
    private readonly int _width;
    private int _inRow;

    public CsvWriter(IReadOnlyList<string> header)
    {
        _width = header.Count;
        foreach (var h in header) Field(h);
    }

    public CsvWriter Field(string value)
    {
        if (_inRow > 0) _text.Append(',');
        if (value.AsSpan().IndexOfAny(",\"\n\r") >= 0)
            _text.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
        else
            _text.Append(value);
        if (++_inRow == _width) { _text.Append('\n'); _inRow = 0; }
        return this;
    }

    public CsvWriter Field(int value) => Field(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Shortest round-trip form, so values survive write → read exactly.</summary>
    public CsvWriter Field(double value) => Field(value.ToString("R", CultureInfo.InvariantCulture));

    public CsvWriter Empty() => Field("");

    public override string ToString()
    {
        if (_inRow != 0) throw new InvalidOperationException($"CSV row incomplete: {_inRow} of {_width} fields");
        return _text.ToString();
    }

    /// <summary>Writes the file atomically; one that already holds these bytes is left untouched.</summary>
    public void WriteTo(string path) => AtomicFile.WriteAllTextIfChanged(path, ToString());
}
