using SelfInterp.Core.IO;
using System.Globalization;
using System.Text;

namespace SelfInterp.Core.Csv;

/// <summary>
/// A CSV file read whole (RFC 4180 quoting), with line numbers kept so errors can name file, line and field.
/// Small and allocation-light on purpose: the analysis reads paper-sized runs in milliseconds.
/// </summary>
public sealed class CsvTable
{
    public string Path { get; }
    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<CsvRow> Rows { get; }
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string path, IReadOnlyList<string> header, IReadOnlyList<CsvRow> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++) _columns.TryAdd(header[i], i);
    }

    public static CsvTable Read(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, null, null, "file not found");
        return Parse(path, File.ReadAllText(path));
    }

    public static CsvTable Parse(string path, string text)
    {
        var records = new List<(int Line, string[] Fields)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1;
        bool inQuotes = false, fieldStarted = false;
        int i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else inQuotes = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !fieldStarted:
                    inQuotes = true; fieldStarted = true; break;
                case ',':
                    fields.Add(field.ToString()); field.Clear(); fieldStarted = false; break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++; recordLine = line; break;
                default:
                    field.Append(c); fieldStarted = true; break;
            }
        }
        if (inQuotes) throw new DataFileException(path, recordLine, null, "unterminated quoted field");
        EndRecord();

        if (records.Count == 0) throw new DataFileException(path, 1, null, "the file is empty (no header)");
        var header = records[0].Fields;
        var rows = new List<CsvRow>(records.Count - 1);
        var table = new CsvTable(path, header, rows);
        for (int r = 1; r < records.Count; r++)
        {
            var (ln, f) = records[r];
            if (f.Length != header.Length)
                throw new DataFileException(path, ln, null, $"expected {header.Length} fields, found {f.Length}");
            rows.Add(new CsvRow(table, ln, f));
        }
        return table;

        void EndRecord()
        {
            if (fields.Count == 0 && field.Length == 0 && !fieldStarted) return; // blank line
            fields.Add(field.ToString());
            field.Clear(); fieldStarted = false;
            records.Add((recordLine, fields.ToArray()));
            fields.Clear();
        }
    }

    public bool HasColumn(string name) => _columns.ContainsKey(name);

    public int Column(string name) =>
        _columns.TryGetValue(name, out int i) ? i
        : throw new DataFileException(Path, 1, name, $"missing column ({HeaderSeen()})");

    /// <summary>What the first line held, so a file of the wrong kind (JSON, another CSV) shows as such.</summary>
    private string HeaderSeen()
    {
        var names = _columns.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToList();
        string shown = string.Join(", ", names.Take(8)) + (names.Count > 8 ? $", … ({names.Count} columns)" : "");
        return names.Count == 0 || names.All(string.IsNullOrWhiteSpace) ? "the first line holds no column names" : $"the header has: {shown}";
    }

    /// <summary>Fails with the first missing column, named.</summary>
    public void RequireColumns(IEnumerable<string> names)
    {
        foreach (var n in names) Column(n);
    }
}

/// <summary>One record of a <see cref="CsvTable"/>, with its line number in the file.</summary>
public sealed class CsvRow(CsvTable table, int line, string[] fields)
{
    public int Line { get; } = line;
    public IReadOnlyList<string> Fields => fields;

    public string this[string column] => fields[table.Column(column)];
    public string this[int index] => fields[index];

    public double Double(string column)
    {
        var s = this[column];
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
        throw new DataFileException(table.Path, Line, column, $"'{s}' is not a finite number");
    }

    public bool TryDouble(string column, out double value) =>
        double.TryParse(this[column], NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public int Int(string column)
    {
        var s = this[column];
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return v;
        throw new DataFileException(table.Path, Line, column, $"'{s}' is not an integer");
    }
}
