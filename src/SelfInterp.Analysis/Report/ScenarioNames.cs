using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Scenarios;

namespace SelfInterp.Analysis.Report;

/// <summary>
/// Each scenario's question and attribute names from scenarios.csv: for hover texts, and to check raw replies
/// with <see cref="Core.Prompts.ReportParser"/> (which needs the attribute names, not the units).
/// </summary>
public sealed class ScenarioNames
{
    private readonly Dictionary<int, Scenario> _byId;

    private ScenarioNames(Dictionary<int, Scenario> byId) => _byId = byId;

    public static readonly ScenarioNames Empty = new(new Dictionary<int, Scenario>());

    public bool TryGet(int id, out Scenario scenario) => _byId.TryGetValue(id, out scenario!);

    /// <summary>"condo_hoa_fee" for attribute 3 (1-based) of a known scenario, else "attribute 3".</summary>
    public string Attribute(int scenario, int attribute) =>
        _byId.TryGetValue(scenario, out var s) && attribute >= 1 && attribute <= s.Attributes.Count
            ? s.Attributes[attribute - 1].Name
            : $"attribute {attribute}";

    /// <summary>Reads scenarios.csv; the analysis has already read it, so a problem here is rare and left to it.</summary>
    public static ScenarioNames Read(string runDir)
    {
        var path = Path.Combine(runDir, PaperLayout.ScenariosFile);
        if (!File.Exists(path)) return Empty;
        CsvTable table;
        try { table = CsvTable.Read(path); }
        catch (DataFileException) { return Empty; }
        var names = Enumerable.Range(1, Scenario.AttributeCount).Select(i => $"attr{i}").ToArray();
        if (!table.HasColumn("scenario") || names.Any(n => !table.HasColumn(n))) return Empty;
        var byId = new Dictionary<int, Scenario>();
        foreach (var row in table.Rows)
        {
            if (!int.TryParse(row["scenario"], out int id)) continue;
            // Ranges do not matter for names or for parsing a report; the analysis reads them on its own.
            var attributes = names.Select(n => new AttributeSpec(row[n], "", 0, 1)).ToList();
            byId.TryAdd(id, new Scenario("", table.HasColumn("question") ? row["question"] : "", attributes));
        }
        return new ScenarioNames(byId);
    }
}
