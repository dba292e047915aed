using SelfInterp.Core.Csv;
using System.Globalization;

namespace SelfInterp.Analysis.Data;

/// <summary>Field parsing shared by the readers. TryScenario resolves a row's scenario key, logging (not throwing) when scenarios.csv does not list it.</summary>
internal static class RowFields
{
    public static bool TryScenario(CsvTable table, CsvRow row, int column, ScenarioRanges scenarios, ExclusionLog log, out int id)
    {
        var text = row[column];
        if (scenarios.Keys.TryResolve(text, out id) && scenarios.Contains(id)) return true;
        log.Add(table.Path, row.Line, "scenario is not in scenarios.csv", $"scenario {text}");
        return false;
    }

    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
