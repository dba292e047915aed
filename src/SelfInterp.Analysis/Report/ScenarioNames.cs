using SelfInterp.Analysis.Data;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Analysis.Report;

/// <summary>
/// Each scenario's question and attribute names from scenarios.csv: for hover texts, and to check raw replies
/// with <see cref="Core.Prompts.ReportParser"/> (which needs the attribute names, not the units).
/// </summary>
public sealed class ScenarioNames
{
    private readonly Dictionary<int, Scenario> _byId;
    private readonly ScenarioKeys? _keys;

    private ScenarioNames(Dictionary<int, Scenario> byId, ScenarioKeys? keys)
    {
        _byId = byId;
        _keys = keys;
    }

    public static readonly ScenarioNames Empty = new(new Dictionary<int, Scenario>(), null);

    /// <summary>The index of a scenario named in a data file (a short name, or an index as our earlier runs wrote).</summary>
    public bool TryResolve(string key, out int id)
    {
        id = 0;
        return _keys is not null && _keys.TryResolve(key, out id);
    }

    public bool TryGet(int id, out Scenario scenario) => _byId.TryGetValue(id, out scenario!);

    /// <summary>"condo_hoa_fee" for attribute 3 (1-based) of a known scenario, else "attribute 3".</summary>
    public string Attribute(int scenario, int attribute) =>
        _byId.TryGetValue(scenario, out var s) && attribute >= 1 && attribute <= s.Attributes.Count
            ? s.Attributes[attribute - 1].Name
            : $"attribute {attribute}";

    /// <summary>Reads scenarios.csv (the one the analysis read); the analysis has already checked it, so a problem here is rare and left to it.</summary>
    public static ScenarioNames Read(string path)
    {
        if (!File.Exists(path)) return Empty;
        CsvTable table;
        ScenarioKeys keys;
        try
        {
            table = CsvTable.Read(path);
            keys = ScenarioKeys.Read(table);
        }
        catch (DataFileException) { return Empty; }
        var names = Enumerable.Range(1, Scenario.AttributeCount).Select(i => $"attr{i}").ToArray();
        if (names.Any(n => !table.HasColumn(n))) return Empty;
        var byId = new Dictionary<int, Scenario>();
        for (int k = 0; k < table.Rows.Count; k++)
        {
            var row = table.Rows[k];
            // Ranges do not matter for names or for parsing a report; the analysis reads them on its own.
            var attributes = names.Select(n => new AttributeSpec(row[n], "", 0, 1)).ToList();
            byId.TryAdd(keys.RowIds[k], new Scenario(keys.Key(keys.RowIds[k]), table.HasColumn("question") ? row["question"] : "", attributes));
        }
        return new ScenarioNames(byId, keys);
    }
}
