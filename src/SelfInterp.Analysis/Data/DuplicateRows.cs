using SelfInterp.Core.Csv;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// The rule for repeated rows (docs/analysis.md, "Rows left out"): a data row identical in every field to an earlier
/// row of the same file is a copy (a file concatenated twice, a line pasted again), not a second observation; it is
/// counted once and the copy is left out, with a warning naming its line and the line it repeats. Every row of ours
/// and of the published files carries a freshly drawn trial, so two genuine rows are never identical.
/// </summary>
internal sealed class DuplicateRows(ExclusionLog log)
{
    private readonly Dictionary<string, int> _firstLine = new(StringComparer.Ordinal);

    /// <summary>True (and logged) when <paramref name="row"/> repeats an earlier row of <paramref name="table"/>.</summary>
    public bool IsCopy(CsvTable table, CsvRow row)
    {
        var key = string.Join('\u001f', row.Fields);
        if (_firstLine.TryAdd(key, row.Line)) return false;
        log.Add(table.Path, row.Line, "a duplicate of an earlier row (counted once)", $"repeats line {_firstLine[key]}");
        return true;
    }
}
