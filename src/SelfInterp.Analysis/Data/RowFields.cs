using SelfInterp.Core.Csv;
using System.Globalization;

namespace SelfInterp.Analysis.Data;

/// <summary>Field parsing shared by the readers. TryScenario reads a row's scenario id, logging (not throwing) when it is not an integer or not in scenarios.csv.</summary>
internal static class RowFields
{
    public static bool TryScenario(CsvTable table, CsvRow row, int column, ScenarioRanges scenarios, ExclusionLog log, out int id)
    {
        var text = row[column];
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out id))
        {
            log.Add(table.Path, row.Line, "scenario is not an integer", $"'{text}'");
            return false;
        }
        if (!scenarios.Contains(id))
        {
            log.Add(table.Path, row.Line, "scenario is not in scenarios.csv", $"scenario {id}");
            return false;
        }
        return true;
    }

    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
