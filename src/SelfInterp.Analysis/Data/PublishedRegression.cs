using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Csv;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// A regression-results file published beside the data (<c>{base}_regression_results.csv</c>: the authors' brms
/// output, <c>scenario,b_attr1..b_attr5</c>, sorted by name), compared with our learned weights by scenario.
/// Rows naming no scenario of scenarios.csv, or with a value that is not a number, are counted in the log.
/// </summary>
public static class PublishedRegression
{
    public static PublishedAgreement? Compare(string path, IReadOnlyList<LearnedWeights> learned, ScenarioRanges scenarios, ExclusionLog log)
    {
        if (!File.Exists(path)) return null;
        var table = CsvTable.Read(path);
        table.RequireColumns(PaperLayout.RegressionColumns);
        int scenarioColumn = table.Column("scenario");
        var columns = PaperLayout.RegressionColumns[1..].Select(table.Column).ToArray();
        var ours = learned.ToDictionary(w => w.Scenario, w => w.Weights);
        var theirs = new List<double>();
        var mine = new List<double>();
        int matched = 0;
        foreach (var row in table.Rows)
        {
            if (!RowFields.TryScenario(table, row, scenarioColumn, scenarios, log, out int id) || !ours.TryGetValue(id, out var w)) continue;
            var values = new double[5];
            int bad = Array.FindIndex(columns, c => !RowFields.TryNumber(row[c], out _));
            if (bad >= 0)
            {
                log.Add(path, row.Line, "a weight is not a number", $"{table.Header[columns[bad]]} '{row[columns[bad]]}'");
                continue;
            }
            for (int i = 0; i < 5; i++)
            {
                RowFields.TryNumber(row[columns[i]], out values[i]);
                theirs.Add(values[i]);
                mine.Add(w[i]);
            }
            matched++;
        }
        return new PublishedAgreement(Path.GetFileName(path), Descriptive.Pearson(mine.ToArray(), theirs.ToArray()), matched);
    }
}
