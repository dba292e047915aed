using SelfInterp.Core.Csv;
using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox;

/// <summary>The report circuit's read-out direction at one hook point against a probe's direction there: the cosine,
/// beside two nulls of |cosine| (its 95th percentile, and a two-sided p-value): random directions drawn uniformly on the
/// sphere, and the same read-out regression fitted on reports shuffled across units (ridge directions lean towards the
/// stream's high-variance dimensions, so two of them can agree more than random directions do without sharing anything).
/// <c>readout_r</c> is how well the reports are predicted from the representation out of fold (a read-out direction of
/// reports that are not linear in it means little).</summary>
public sealed record ReadoutRow(string Model, string Layer, string Against, int Units, double ReadoutR, double Cosine,
    NullComparison Random, NullComparison Shuffled);

public static class ReadoutStudy
{
    public const string FileName = "readout.csv";
    public static readonly string[] Columns =
        ["model", "layer", "against", "units", "readout_r", "cosine", "random_p95", "p_random", "shuffled_p95", "p_shuffled", "null_draws"];

    /// <summary>The read-out direction (ridge regression of the reports on the name representation of report prompts,
    /// penalty tuned by scenario folds) compared with each of <paramref name="probes"/> (named unit directions).</summary>
    public static IEnumerable<ReadoutRow> Compare(string model, string layer, IReadOnlyList<float[]> x, IReadOnlyList<double> reports,
        IReadOnlyList<int> groups, IReadOnlyList<(string Name, float[] Direction)> probes, int draws, ulong seed)
    {
        string label = $"{model}:{layer}";
        var shuffleRng = new SeededStream("whitebox:readout_null:shuffled:" + label, seed);
        var ys = new List<IReadOnlyList<double>> { reports };
        for (int b = 0; b < draws; b++) ys.Add(ProbeNull.Shuffled(reports, shuffleRng));
        var fits = RidgeProbe.FitTuned(x, ys, Enumerable.Range(0, x.Count).ToList(), groups, ProbeStudy.Folds, seed);
        var readout = fits[0].Direction();
        var predicted = RidgeProbe.CrossValidated(x, reports, groups, ProbeStudy.Folds, seed);
        double r = ScenarioBootstrap.Pearson(predicted.Select((p, i) => (p, reports[i])).ToList());
        var randomRng = new SeededStream("whitebox:readout_null:random:" + label, seed);
        var random = Enumerable.Range(0, draws).Select(_ => RandomUnit(x[0].Length, randomRng)).ToList();
        foreach (var (name, direction) in probes)
        {
            double cosine = Cosine(readout, direction);
            yield return new ReadoutRow(model, layer, name, x.Count, r, cosine,
                NullComparison.Of(Math.Abs(cosine), random.Select(u => Math.Abs(Cosine(u, direction))).ToList()),
                NullComparison.Of(Math.Abs(cosine), fits.Skip(1).Select(f => Math.Abs(Cosine(f.Direction(), direction))).ToList()));
        }
    }

    public static double Cosine(float[] a, float[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int j = 0; j < a.Length; j++) (ab, aa, bb) = (ab + (double)a[j] * b[j], aa + (double)a[j] * a[j], bb + (double)b[j] * b[j]);
        return aa > 0 && bb > 0 ? ab / Math.Sqrt(aa * bb) : double.NaN;
    }

    /// <summary>A direction uniform on the sphere: independent standard normal coordinates, normalised.</summary>
    public static float[] RandomUnit(int d, SeededStream rng)
    {
        var v = Enumerable.Range(0, d).Select(_ => rng.NextGaussian()).ToArray();
        double norm = Math.Sqrt(v.Sum(z => z * z));
        return v.Select(z => (float)(z / norm)).ToArray();
    }

    public static void Write(string path, IEnumerable<ReadoutRow> rows)
    {
        var w = new CsvWriter(Columns);
        foreach (var r in rows)
        {
            w.Field(r.Model).Field(r.Layer).Field(r.Against).Field(r.Units);
            foreach (var v in new[] { r.ReadoutR, r.Cosine, r.Random.P95, r.Random.P, r.Shuffled.P95, r.Shuffled.P }) w.Field(Math.Round(v, 4));
            w.Field(r.Random.Draws);
        }
        w.WriteTo(path);
    }

    public static List<ReadoutRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var table = CsvTable.Read(path);
        table.RequireColumns(Columns);
        static double D(CsvRow row, string column) => row.TryDouble(column, out var v) ? v : double.NaN;
        return table.Rows.Select(r => new ReadoutRow(r["model"], r["layer"], r["against"], r.Int("units"), D(r, "readout_r"), D(r, "cosine"),
            new NullComparison(D(r, "random_p95"), D(r, "p_random"), r.Int("null_draws")),
            new NullComparison(D(r, "shuffled_p95"), D(r, "p_shuffled"), r.Int("null_draws")))).ToList();
    }
}
