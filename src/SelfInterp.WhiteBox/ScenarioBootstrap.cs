using SelfInterp.Analysis.Statistics;
using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox;

/// <summary>Percentile intervals by resampling whole scenarios (rows of one scenario are not independent).</summary>
public static class ScenarioBootstrap
{
    public const int Resamples = 1000;

    /// <summary>The statistic on all rows, and its 95% interval over resampled scenarios; all NaN without rows (a
    /// model none of whose reports parsed, say).</summary>
    public static (double Estimate, double Low, double High) Interval<T>(IReadOnlyList<T> rows, Func<T, int> scenario,
        Func<IReadOnlyList<T>, double> statistic, string stream, ulong seed)
    {
        if (rows.Count == 0) return (double.NaN, double.NaN, double.NaN);
        double estimate = statistic(rows);
        var byScenario = rows.GroupBy(scenario).Select(g => g.ToList()).ToList();
        var values = new List<double>(Resamples);
        foreach (var draw in Draws(byScenario.Count, stream, seed))
        {
            var sample = new List<T>(rows.Count);
            foreach (int k in draw) sample.AddRange(byScenario[k]);
            double v = statistic(sample);
            if (double.IsFinite(v)) values.Add(v);
        }
        if (values.Count < Resamples / 2) return (estimate, double.NaN, double.NaN);
        values.Sort();
        return (estimate, Quantile(values, 0.025), Quantile(values, 0.975));
    }

    /// <summary>The resamples: each a list of <paramref name="count"/> scenario indices drawn with replacement from
    /// the stream "whitebox:bootstrap:{stream}". Statistics computed on the same draws are paired.</summary>
    public static IEnumerable<int[]> Draws(int count, string stream, ulong seed)
    {
        var rng = new SeededStream("whitebox:bootstrap:" + stream, seed);
        for (int b = 0; b < Resamples; b++)
        {
            var draw = new int[count];
            for (int k = 0; k < count; k++) draw[k] = rng.NextInt(count);
            yield return draw;
        }
    }

    /// <summary>The q-quantile of sorted values, linear between ranks; +∞ where it reaches an infinite value.</summary>
    public static double Quantile(List<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        if (pos == lo || double.IsPositiveInfinity(sorted[lo])) return sorted[lo];
        if (double.IsPositiveInfinity(sorted[hi])) return double.PositiveInfinity;
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Least-squares slope of y on x.</summary>
    public static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx > 0 ? sxy / sxx : double.NaN;
    }

    public static double Pearson(IReadOnlyList<(double X, double Y)> points) =>
        Descriptive.Pearson(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
}
