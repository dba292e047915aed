using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Random;

namespace SelfInterp.Analysis.Statistics;

/// <summary>
/// A difference of report slopes (later − earlier) as a paired comparison: both conditions report on the same
/// scenarios against the same learned weights, so the unit of resampling is the scenario. Each replicate draws
/// scenarios with replacement from those either condition has, takes every drawn scenario's pairs in both
/// conditions, z-scores the mean reports again within each report file (as the statistic does; the learned
/// weights keep their z-scores over the whole selections file), and recomputes both slopes. The point estimate
/// is the difference of the two slopes on the data as they are (the paper's); the interval is the 2.5% and 97.5%
/// percentiles of the replicates. docs/statistics.md says why.
/// </summary>
public static class PairedBootstrap
{
    public const int Replicates = 2000;

    /// <param name="earlier">The earlier condition's pairs, one list per report file (z-scoring unit).</param>
    /// <param name="later">The later condition's pairs, one list per report file (the held-out measure pools two).</param>
    public static SlopeDifference? Difference(
        IReadOnlyList<IReadOnlyList<ReportPair>>? earlier, IReadOnlyList<IReadOnlyList<ReportPair>>? later, SeededStream rng)
    {
        if (earlier is null || later is null) return null;
        var scenarios = earlier.Concat(later).SelectMany(g => g).Select(p => p.Scenario).Distinct().Order().ToArray();
        var groupsEarlier = earlier.Select(g => ByScenario(g)).ToList();
        var groupsLater = later.Select(g => ByScenario(g)).ToList();

        double point = Slope(groupsLater, scenarios) - Slope(groupsEarlier, scenarios);
        if (!double.IsFinite(point) || scenarios.Length < 2) return new SlopeDifference(point, double.NaN, double.NaN);

        var draws = new double[Replicates];
        var sample = new int[scenarios.Length];
        int finite = 0;
        for (int b = 0; b < Replicates; b++)
        {
            for (int k = 0; k < sample.Length; k++) sample[k] = scenarios[rng.NextInt(scenarios.Length)];
            double d = Slope(groupsLater, sample) - Slope(groupsEarlier, sample);
            if (double.IsFinite(d)) draws[finite++] = d;
        }
        // A replicate whose draw leaves a condition without variation has no slope; too many such and no interval.
        if (finite < Replicates * 0.9) return new SlopeDifference(point, double.NaN, double.NaN);
        var sorted = draws.AsSpan(0, finite);
        sorted.Sort();
        return new SlopeDifference(point, Quantile(sorted, 0.025), Quantile(sorted, 0.975));
    }

    private static Dictionary<int, List<ReportPair>> ByScenario(IReadOnlyList<ReportPair> pairs) =>
        pairs.GroupBy(p => p.Scenario).ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>
    /// OLS slope of z(learned) on z(mean report) over the drawn scenarios' pairs (with repeats), the mean reports
    /// z-scored within each group over the draw, the groups then pooled.
    /// </summary>
    private static double Slope(List<Dictionary<int, List<ReportPair>>> groups, int[] draw)
    {
        var x = new List<double>();
        var y = new List<double>();
        foreach (var group in groups)
        {
            int start = x.Count;
            foreach (int s in draw)
                if (group.TryGetValue(s, out var pairs))
                    foreach (var p in pairs) { x.Add(p.MeanReport); y.Add(p.ZLearned); }
            var z = Descriptive.ZScores(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(x)[start..]);
            for (int k = 0; k < z.Length; k++) x[start + k] = z[k];
        }
        return OlsSlope(x, y);
    }

    private static double OlsSlope(List<double> x, List<double> y)
    {
        int n = x.Count;
        if (n < 3) return double.NaN;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxx > 0 ? sxy / sxx : double.NaN;
    }

    /// <summary>Linear interpolation between order statistics (R's default, type 7).</summary>
    private static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
