using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;

namespace SelfInterp.Analysis.Data;

/// <summary>The attribute ranges of every scenario in scenarios.csv, by scenario id: what normalises option values.</summary>
public sealed class ScenarioRanges
{
    private readonly Dictionary<int, (double[] Min, double[] Range)> _byId;

    private ScenarioRanges(Dictionary<int, (double[] Min, double[] Range)> byId) => _byId = byId;

    public bool Contains(int scenario) => _byId.ContainsKey(scenario);

    /// <summary>(A − B) / (max − min) for each attribute.</summary>
    public void NormalisedDifferences(int scenario, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
    {
        var (_, range) = _byId[scenario];
        for (int i = 0; i < range.Length; i++) result[i] = (a[i] - b[i]) / range[i];
    }

    public static ScenarioRanges Read(string path)
    {
        var table = CsvTable.Read(path);
        var minColumns = Enumerable.Range(1, 5).Select(i => $"attr{i}_min").ToArray();
        var maxColumns = Enumerable.Range(1, 5).Select(i => $"attr{i}_max").ToArray();
        table.RequireColumns(["scenario", .. minColumns, .. maxColumns]);
        if (table.Rows.Count == 0) throw new DataFileException(path, 2, null, "no scenarios (the file has only a header)");

        var byId = new Dictionary<int, (double[], double[])>();
        foreach (var row in table.Rows)
        {
            int id = row.Int("scenario");
            var min = new double[5];
            var range = new double[5];
            for (int i = 0; i < 5; i++)
            {
                min[i] = row.Double(minColumns[i]);
                double max = row.Double(maxColumns[i]);
                range[i] = max - min[i];
                if (!(range[i] > 0))
                    throw new DataFileException(path, row.Line, maxColumns[i],
                        $"the range is empty or reversed (min {min[i]}, max {max}): values cannot be normalised");
            }
            if (!byId.TryAdd(id, (min, range)))
                throw new DataFileException(path, row.Line, "scenario", $"scenario {id} appears more than once");
        }
        return new ScenarioRanges(byId);
    }
}
