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
        var groupsEarlier = earlier.Select(g => Sums.PerScenario(g, scenarios)).ToList();
        var groupsLater = later.Select(g => Sums.PerScenario(g, scenarios)).ToList();
        var all = Enumerable.Range(0, scenarios.Length).ToArray();

        double point = Slope(groupsLater, all) - Slope(groupsEarlier, all);
        if (!double.IsFinite(point) || scenarios.Length < 2) return new SlopeDifference(point, double.NaN, double.NaN);

        var draws = new double[Replicates];
        var sample = new int[scenarios.Length];
        int finite = 0;
        for (int b = 0; b < Replicates; b++)
        {
            for (int k = 0; k < sample.Length; k++) sample[k] = rng.NextInt(scenarios.Length);
            double d = Slope(groupsLater, sample) - Slope(groupsEarlier, sample);
            if (double.IsFinite(d)) draws[finite++] = d;
        }
        // A replicate whose draw leaves a condition without variation has no slope; too many such and no interval.
        if (finite < Replicates * 0.9) return new SlopeDifference(point, double.NaN, double.NaN);
        var sorted = draws.AsSpan(0, finite);
        sorted.Sort();
        return new SlopeDifference(point, Quantile(sorted, 0.025), Quantile(sorted, 0.975));
    }

    /// <summary>One scenario's pairs in one report file, as sums: x the mean report, y the learned weight's z-score.</summary>
    private readonly record struct Sums(int N, double X, double XX, double Y, double XY)
    {
        public static Sums[] PerScenario(IReadOnlyList<ReportPair> pairs, int[] scenarios)
        {
            var sums = new Sums[scenarios.Length];
            foreach (var p in pairs)
            {
                int k = Array.BinarySearch(scenarios, p.Scenario);
                var s = sums[k];
                sums[k] = new Sums(s.N + 1, s.X + p.MeanReport, s.XX + p.MeanReport * p.MeanReport, s.Y + p.ZLearned, s.XY + p.MeanReport * p.ZLearned);
            }
            return sums;
        }
    }

    /// <summary>
    /// OLS slope of z(learned) on z(mean report) over the drawn scenarios' pairs (with repeats), the mean reports
    /// z-scored within each group over the draw, the groups then pooled. z-scoring is affine within a group, so
    /// with every group's z summing to 0 the slope is Σ_g (S_xy − S_x S_y / n)/s_x over Σ_g (n − 1), from sums alone.
    /// </summary>
    private static double Slope(List<Sums[]> groups, int[] draw)
    {
        double numerator = 0, denominator = 0;
        foreach (var group in groups)
        {
            int n = 0;
            double x = 0, xx = 0, y = 0, xy = 0;
            foreach (int k in draw)
            {
                var s = group[k];
                n += s.N; x += s.X; xx += s.XX; y += s.Y; xy += s.XY;
            }
            if (n < 2) continue;
            double variance = (xx - x * x / n) / (n - 1);
            if (!(variance > 1e-12 * (xx / n))) return double.NaN; // no variation: no z-scores, no slope
            numerator += (xy - x * y / n) / Math.Sqrt(variance);
            denominator += n - 1;
        }
        return denominator >= 2 ? numerator / denominator : double.NaN;
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
