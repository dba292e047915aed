using SelfInterp.Analysis.Regression;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// Reads a selections file (<c>model,scenario,selection,A_attribute_1..5,B_attribute_1..5</c>) into one
/// <see cref="ChoiceData"/> per scenario. Rows that cannot be used are counted in the log with their line;
/// a scenario whose rows were all excluded is kept (empty) so that its fit is reported as failed. A row repeating an
/// earlier one is counted once (<see cref="DuplicateRows"/>); an option value more than half its attribute's range
/// outside that range (past any rounding of a drawn value) is not an option the model was shown, and its row is left out.
/// </summary>
public static class SelectionReader
{
    public static SortedDictionary<int, ChoiceData> Read(string path, ScenarioRanges scenarios, ExclusionLog log)
    {
        var table = CsvTable.Read(path);
        table.RequireColumns(["scenario", "selection", .. PaperLayout.OptionColumns]);
        if (table.Rows.Count == 0) throw new DataFileException(path, 2, null, "no selections (the file has only a header)");

        int scenarioColumn = table.Column("scenario"), selectionColumn = table.Column("selection");
        var optionColumns = PaperLayout.OptionColumns.Select(table.Column).ToArray();
        var byScenario = new SortedDictionary<int, ChoiceData>();
        Span<double> a = stackalloc double[5], b = stackalloc double[5], d = stackalloc double[5];
        var copies = new DuplicateRows(log);

        foreach (var row in table.Rows)
        {
            if (copies.IsCopy(table, row)) continue;
            if (!RowFields.TryScenario(table, row, scenarioColumn, scenarios, log, out int id)) continue;
            if (!byScenario.TryGetValue(id, out var data)) byScenario[id] = data = new ChoiceData();

            var selection = row[selectionColumn].Trim();
            if (selection is not ("A" or "B"))
            {
                log.Add(path, row.Line, "selection is neither A nor B", $"'{row[selectionColumn]}'");
                continue;
            }
            if (!TryOptions(table, row, optionColumns, a, b, log)) continue;
            if (scenarios.FarOutside(id, a, b) is int attribute)
            {
                log.Add(path, row.Line, "an option value is far outside its attribute's range", $"{table.Header[optionColumns[attribute]]} '{row[optionColumns[attribute]]}'");
                continue;
            }
            scenarios.NormalisedDifferences(id, a, b, d);
            data.Add(d, selection == "A");
        }
        return byScenario;
    }

    private static bool TryOptions(CsvTable table, CsvRow row, int[] columns, Span<double> a, Span<double> b, ExclusionLog log)
    {
        for (int i = 0; i < 10; i++)
        {
            if (!RowFields.TryNumber(row[columns[i]], out double v))
            {
                log.Add(table.Path, row.Line, "an option value is not a number", $"{table.Header[columns[i]]} '{row[columns[i]]}'");
                return false;
            }
            if (i < 5) a[i] = v; else b[i - 5] = v;
        }
        return true;
    }
}
