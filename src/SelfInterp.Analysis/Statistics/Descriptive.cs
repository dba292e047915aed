namespace SelfInterp.Analysis.Statistics;

/// <summary>Means, sample standard deviations, z-scores and Pearson correlations. NaN when undefined.</summary>
public static class Descriptive
{
    public static double Mean(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (var v in x) sum += v;
        return x.Length == 0 ? double.NaN : sum / x.Length;
    }

    /// <summary>Sample standard deviation (n − 1), as R's sd() and scale().</summary>
    public static double StandardDeviation(ReadOnlySpan<double> x)
    {
        if (x.Length < 2) return double.NaN;
        double mean = Mean(x), sum = 0;
        foreach (var v in x) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (x.Length - 1));
    }

    /// <summary>(x − mean)/sd; all NaN when the values do not vary.</summary>
    public static double[] ZScores(ReadOnlySpan<double> x)
    {
        double mean = Mean(x), sd = StandardDeviation(x);
        var z = new double[x.Length];
        for (int i = 0; i < x.Length; i++) z[i] = sd > 0 ? (x[i] - mean) / sd : double.NaN;
        return z;
    }

    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length");
        if (x.Length < 2) return double.NaN;
        double mx = Mean(x), my = Mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }
}
