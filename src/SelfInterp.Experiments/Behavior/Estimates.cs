using SelfInterp.Analysis.Statistics;

namespace SelfInterp.Experiments.Behavior;

/// <summary>An estimate with its 95% interval and the number of units it rests on; NaN where undefined.</summary>
public sealed record Estimate(double Value, double Low, double High, int N)
{
    public static readonly Estimate None = new(double.NaN, double.NaN, double.NaN, 0);

    /// <summary>Mean with a t interval over <paramref name="units"/> (paraphrase means, or paired differences by paraphrase).</summary>
    public static Estimate Mean(IReadOnlyList<double> units)
    {
        if (units.Count == 0) return None;
        double mean = Descriptive.Mean(units.ToArray());
        if (units.Count < 2) return new(mean, double.NaN, double.NaN, units.Count);
        double half = StudentT.Critical95(units.Count - 1) * Descriptive.StandardDeviation(units.ToArray()) / Math.Sqrt(units.Count);
        return new(mean, mean - half, mean + half, units.Count);
    }

    /// <summary>
    /// Mean with a t interval, the interval cut to the scale's bounds: a mean of scores on 0–100 cannot lie outside
    /// it, so an interval reaching past it (near a bound, with few paraphrases) says no more than the bound does.
    /// </summary>
    public static Estimate Mean(IReadOnlyList<double> units, double lowest, double highest)
    {
        var e = Mean(units);
        return double.IsFinite(e.Low) ? e with { Low = Math.Max(e.Low, lowest), High = Math.Min(e.High, highest) } : e;
    }

    /// <summary>A share of <paramref name="n"/> with the Wilson score interval.</summary>
    public static Estimate Share(int hits, int n)
    {
        if (n == 0) return None;
        const double z = 1.959963984540054;
        double p = (double)hits / n, z2 = z * z / n;
        double centre = (p + z2 / 2) / (1 + z2), half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n)) / (1 + z2);
        return new(p, centre - half, centre + half, n);
    }

    /// <summary>Pearson's r with the Fisher-z interval (needs four points).</summary>
    public static Estimate Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double r = Descriptive.Pearson(x.ToArray(), y.ToArray());
        if (x.Count < 4 || !double.IsFinite(r) || Math.Abs(r) >= 1) return new(r, double.NaN, double.NaN, x.Count);
        double z = Math.Atanh(r), half = 1.959963984540054 / Math.Sqrt(x.Count - 3);
        return new(r, Math.Tanh(z - half), Math.Tanh(z + half), x.Count);
    }

    public bool Excludes(double value) => double.IsFinite(Low) && (Low > value || High < value);
}
