using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// The attribute ranges of every scenario in scenarios.csv, by scenario index: what normalises option values.
/// Other files' scenario fields are resolved through <see cref="Keys"/> (short names, or our older runs' integers).
/// </summary>
public sealed class ScenarioRanges
{
    private readonly Dictionary<int, (double[] Min, double[] Range)> _byId;

    public ScenarioKeys Keys { get; }
    public string Path { get; }

    private ScenarioRanges(string path, ScenarioKeys keys, Dictionary<int, (double[] Min, double[] Range)> byId)
    {
        Path = path;
        Keys = keys;
        _byId = byId;
    }

    public bool Contains(int scenario) => _byId.ContainsKey(scenario);

    /// <summary>(A − B) / (max − min) for each attribute.</summary>
    public void NormalisedDifferences(int scenario, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
    {
        var (_, range) = _byId[scenario];
        for (int i = 0; i < range.Length; i++) result[i] = (a[i] - b[i]) / range[i];
    }

    /// <summary>
    /// The first of the ten option values (A's five, then B's) more than half the attribute's range outside
    /// [min, max], or null. Drawn values lie in the range up to rounding (at most a tenth of the range), so such a
    /// value was not drawn: a typo, or a unit slip, that would otherwise enter the fit as a huge difference.
    /// </summary>
    public int? FarOutside(int scenario, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var (min, range) = _byId[scenario];
        for (int i = 0; i < 10; i++)
        {
            int k = i % 5;
            double v = i < 5 ? a[k] : b[k];
            if (v < min[k] - range[k] / 2 || v > min[k] + range[k] * 1.5) return i;
        }
        return null;
    }

    public static ScenarioRanges Read(string path)
    {
        var table = CsvTable.Read(path);
        var minColumns = Enumerable.Range(1, 5).Select(i => $"attr{i}_min").ToArray();
        var maxColumns = Enumerable.Range(1, 5).Select(i => $"attr{i}_max").ToArray();
        table.RequireColumns(["scenario", .. minColumns, .. maxColumns]);
        if (table.Rows.Count == 0) throw new DataFileException(path, 2, null, "no scenarios (the file has only a header)");
        var keys = ScenarioKeys.Read(table);

        var byId = new Dictionary<int, (double[], double[])>();
        for (int k = 0; k < table.Rows.Count; k++)
        {
            var row = table.Rows[k];
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
            byId.Add(keys.RowIds[k], (min, range));
        }
        return new ScenarioRanges(path, keys, byId);
    }
}
