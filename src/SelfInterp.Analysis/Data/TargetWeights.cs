using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// instilled_weights.csv (<c>scenario,attr1..attr5</c>): the weights the fine-tuning meant to instil, by scenario
/// index. The published file has a row for every scenario of the catalog, though only some were instilled; the
/// analysis uses the rows of the scenarios its instilled-scenario files name.
/// </summary>
public static class TargetWeights
{
    public static SortedDictionary<int, double[]> Read(string path, ScenarioKeys keys)
    {
        var table = CsvTable.Read(path);
        table.RequireColumns(PaperLayout.WeightColumns);
        if (table.Rows.Count == 0) throw new DataFileException(path, 2, null, "no weights (the file has only a header)");
        var weights = new SortedDictionary<int, double[]>();
        foreach (var row in table.Rows)
        {
            var key = row["scenario"];
            if (!keys.TryResolve(key, out int id))
                throw new DataFileException(path, row.Line, "scenario", $"scenario '{key}' is not in scenarios.csv");
            var w = new double[5];
            for (int i = 0; i < 5; i++)
            {
                w[i] = row.Double(PaperLayout.WeightColumns[i + 1]);
                // Target weights are drawn on −100..100 (PROTOCOL.md); anything else is not a target this run drew.
                if (!ReportParser.OnScale(w[i]))
                    throw new DataFileException(path, row.Line, PaperLayout.WeightColumns[i + 1], $"{row[PaperLayout.WeightColumns[i + 1]]} is outside −100..100, the scale target weights are drawn on");
            }
            if (!weights.TryAdd(id, w))
                throw new DataFileException(path, row.Line, "scenario", $"scenario '{key}' appears more than once");
        }
        return weights;
    }
}
