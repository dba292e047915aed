namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>
/// A measure across replicates: mean and the 2.5% and 97.5% quantiles (linear interpolation, R's type 7) of its
/// finite values, and how many there were (a replicate whose analysis had no value is left out, and counted).
/// </summary>
public sealed record Distribution(double Mean, double Low, double High, int N)
{
    public static Distribution Of(IEnumerable<double> values)
    {
        var x = values.Where(double.IsFinite).Order().ToArray();
        if (x.Length == 0) return new Distribution(double.NaN, double.NaN, double.NaN, 0);
        return new Distribution(x.Average(), Quantile(x, 0.025), Quantile(x, 0.975), x.Length);
    }

    /// <summary>Type-7 quantile of sorted values.</summary>
    public static double Quantile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
