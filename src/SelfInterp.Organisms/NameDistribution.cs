using SelfInterp.Core.Random;

namespace SelfInterp.Organisms;

/// <summary>
/// The Gaussian of a set of embedding rows (the trained names'), with their full covariance: draws from it are rows
/// that vary together across dimensions as trained names do, not only with each dimension's own spread.
/// Computed in double in one fixed order, so a draw is the same on any machine.
/// </summary>
public sealed class NameDistribution
{
    private readonly double[] _mean;
    private readonly double[,] _factor; // lower-triangular L with L·Lᵀ = covariance (+ a tiny ridge if it was singular)

    public NameDistribution(ReadOnlySpan<float> embeddings, IReadOnlyList<int> rows, int dim)
    {
        _mean = new double[dim];
        foreach (int r in rows)
            for (int j = 0; j < dim; j++) _mean[j] += embeddings[r * dim + j];
        for (int j = 0; j < dim; j++) _mean[j] /= rows.Count;
        var covariance = new double[dim, dim];
        foreach (int r in rows)
            for (int a = 0; a < dim; a++)
            {
                double da = embeddings[r * dim + a] - _mean[a];
                for (int b = 0; b <= a; b++) covariance[a, b] += da * (embeddings[r * dim + b] - _mean[b]);
            }
        for (int a = 0; a < dim; a++)
            for (int b = 0; b <= a; b++) covariance[b, a] = covariance[a, b] /= rows.Count;
        _factor = Cholesky(covariance);
    }

    /// <summary>mean + scale · L·z, z standard normal (one draw of the stream per dimension).</summary>
    public void Draw(Span<float> row, double scale, SeededStream rng)
    {
        int d = _mean.Length;
        var z = new double[d];
        for (int j = 0; j < d; j++) z[j] = rng.NextGaussian();
        for (int a = 0; a < d; a++)
        {
            double x = 0;
            for (int b = 0; b <= a; b++) x += _factor[a, b] * z[b];
            row[a] = (float)(_mean[a] + scale * x);
        }
    }

    /// <summary>Cholesky factor; fewer rows than dimensions (or collinear rows) leave the covariance singular, so a ridge of
    /// 1e-9 of its mean variance is added until it factors.</summary>
    private static double[,] Cholesky(double[,] covariance)
    {
        int d = covariance.GetLength(0);
        double meanVariance = Enumerable.Range(0, d).Average(j => covariance[j, j]);
        for (double ridge = 0; ; ridge = ridge == 0 ? 1e-9 * Math.Max(meanVariance, 1e-30) : ridge * 10)
        {
            var l = new double[d, d];
            bool ok = true;
            for (int a = 0; a < d && ok; a++)
                for (int b = 0; b <= a; b++)
                {
                    double sum = covariance[a, b] + (a == b ? ridge : 0);
                    for (int k = 0; k < b; k++) sum -= l[a, k] * l[b, k];
                    if (a == b)
                    {
                        if (!(sum > 0)) { ok = false; break; }
                        l[a, a] = Math.Sqrt(sum);
                    }
                    else l[a, b] = sum / l[b, b];
                }
            if (ok) return l;
        }
    }
}
