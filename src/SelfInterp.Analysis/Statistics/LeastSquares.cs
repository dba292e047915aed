using SelfInterp.Analysis.Regression;

namespace SelfInterp.Analysis.Statistics;

/// <summary>Ordinary least squares with classical (t-based) standard errors, for the few-column regressions of the statistics.</summary>
public sealed record LeastSquaresFit(double[] Coefficients, double[] StandardErrors, int DegreesOfFreedom)
{
    /// <summary>The 95% interval of coefficient j: estimate ± t₀.₉₇₅(df) · se.</summary>
    public (double Low, double High) Interval95(int j)
    {
        if (DegreesOfFreedom < 1 || !double.IsFinite(StandardErrors[j])) return (double.NaN, double.NaN);
        double t = StudentT.Critical95(DegreesOfFreedom);
        return (Coefficients[j] - t * StandardErrors[j], Coefficients[j] + t * StandardErrors[j]);
    }
}

public static class LeastSquares
{
    /// <summary>
    /// Fits y = Xβ (X given as rows of equal length; include a column of ones for an intercept).
    /// Null when X has fewer rows than columns plus one, or is rank-deficient.
    /// </summary>
    public static LeastSquaresFit? Fit(IReadOnlyList<double[]> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n == 0) return null;
        int p = x[0].Length;
        if (n <= p) return null;
        var xtx = new double[p * p];
        var xty = new double[p];
        for (int r = 0; r < n; r++)
        {
            var row = x[r];
            for (int i = 0; i < p; i++)
            {
                xty[i] += row[i] * y[r];
                for (int j = 0; j < p; j++) xtx[i * p + j] += row[i] * row[j];
            }
        }
        var chol = new double[p * p];
        if (!SmallMatrix.TryCholesky(xtx, p, chol)) return null;
        var beta = (double[])xty.Clone();
        SmallMatrix.CholeskySolve(chol, p, beta);

        double rss = 0;
        for (int r = 0; r < n; r++)
        {
            double fitted = 0;
            for (int i = 0; i < p; i++) fitted += x[r][i] * beta[i];
            rss += (y[r] - fitted) * (y[r] - fitted);
        }
        int df = n - p;
        double sigma2 = rss / df;
        var inverse = new double[p * p];
        SmallMatrix.CholeskyInverse(chol, p, inverse);
        var se = new double[p];
        for (int i = 0; i < p; i++) se[i] = Math.Sqrt(sigma2 * inverse[i * p + i]);
        return new LeastSquaresFit(beta, se, df);
    }
}
