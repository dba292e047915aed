using System.Globalization;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// How files name scenarios, learned from scenarios.csv's <c>scenario</c> column. The published layout keys every
/// file by the catalog's short name and lists the whole catalog in catalog order, so a scenario's index is its row
/// (0-based). Runs of ours before names were written key by that index as an integer, in scenarios.csv too; then
/// the integer is the index. In a named file an integer that is not a name is read as the index as well, which is
/// what a run started before names and resumed after holds (its earlier report files keep their integers).
/// </summary>
public sealed class ScenarioKeys
{
    private readonly Dictionary<string, int> _byKey;
    private readonly Dictionary<int, string> _keyOf;

    /// <summary>The index of each row of scenarios.csv, in file order.</summary>
    public IReadOnlyList<int> RowIds { get; }

    /// <summary>True when scenarios.csv keys by short name (the published layout), false for integer keys.</summary>
    public bool Named { get; }

    private ScenarioKeys(Dictionary<string, int> byKey, Dictionary<int, string> keyOf, IReadOnlyList<int> rowIds, bool named)
    {
        _byKey = byKey;
        _keyOf = keyOf;
        RowIds = rowIds;
        Named = named;
    }

    /// <summary>Reads the keys of scenarios.csv; a duplicate key is an error naming its line.</summary>
    public static ScenarioKeys Read(CsvTable table)
    {
        table.RequireColumns(["scenario"]);
        int column = table.Column("scenario");
        bool named = table.Rows.Any(r => !IsInteger(r[column], out _));
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var keyOf = new Dictionary<int, string>();
        var rowIds = new List<int>(table.Rows.Count);
        for (int k = 0; k < table.Rows.Count; k++)
        {
            var row = table.Rows[k];
            var key = row[column].Trim();
            int id = named ? k : int.Parse(key, NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (key.Length == 0) throw new DataFileException(table.Path, row.Line, "scenario", "empty scenario name");
            if (!byKey.TryAdd(key, id) || !keyOf.TryAdd(id, key))
                throw new DataFileException(table.Path, row.Line, "scenario", $"scenario '{key}' appears more than once");
            rowIds.Add(id);
        }
        return new ScenarioKeys(byKey, keyOf, rowIds, named);
    }

    /// <summary>The index of a scenario named in another file: its name, or (our runs) its index as an integer.</summary>
    public bool TryResolve(string key, out int id)
    {
        key = key.Trim();
        if (_byKey.TryGetValue(key, out id)) return true;
        return Named && IsInteger(key, out id) && _keyOf.ContainsKey(id);
    }

    /// <summary>The key scenarios.csv gives the scenario: what our output files write, so they join with the input.</summary>
    public string Key(int id) => _keyOf.TryGetValue(id, out var key) ? key : id.ToString(CultureInfo.InvariantCulture);

    private static bool IsInteger(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
            CultureInfo.InvariantCulture, out value);
}
