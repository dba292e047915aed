namespace SelfInterp.Backends.Simulated;

/// <summary>
/// Maximum a posteriori logistic regression without intercept and with a normal(0, priorScale²) prior on each
/// slope, by Newton's method: how the ideal observer learns weights from labelled choices.
/// </summary>
public static class LogisticFit
{
    public static double[] Fit(IReadOnlyList<double[]> x, IReadOnlyList<bool> y, double priorScale)
    {
        int p = x[0].Length;
        var beta = new double[p];
        var grad = new double[p];
        var hess = new double[p, p];
        double precision = 1 / (priorScale * priorScale);
        for (int iter = 0; iter < 50; iter++)
        {
            Array.Clear(grad);
            Array.Clear(hess);
            for (int j = 0; j < p; j++) { grad[j] = -precision * beta[j]; hess[j, j] = precision; }
            for (int n = 0; n < x.Count; n++)
            {
                double eta = 0;
                for (int j = 0; j < p; j++) eta += x[n][j] * beta[j];
                double mu = 1 / (1 + Math.Exp(-eta)), w = mu * (1 - mu);
                for (int j = 0; j < p; j++)
                {
                    grad[j] += ((y[n] ? 1 : 0) - mu) * x[n][j];
                    for (int k = 0; k < p; k++) hess[j, k] += w * x[n][j] * x[n][k];
                }
            }
            var step = Solve(hess, grad);
            double size = 0;
            for (int j = 0; j < p; j++) { beta[j] += step[j]; size = Math.Max(size, Math.Abs(step[j])); }
            if (size < 1e-9) break;
        }
        return beta;
    }

    /// <summary>Solves H s = g by Gaussian elimination with partial pivoting (H is small and positive definite).</summary>
    private static double[] Solve(double[,] h, double[] g)
    {
        int p = g.Length;
        var a = (double[,])h.Clone();
        var b = (double[])g.Clone();
        for (int c = 0; c < p; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < p; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (pivot != c)
            {
                for (int k = 0; k < p; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (b[c], b[pivot]) = (b[pivot], b[c]);
            }
            for (int r = c + 1; r < p; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < p; k++) a[r, k] -= f * a[c, k];
                b[r] -= f * b[c];
            }
        }
        var s = new double[p];
        for (int r = p - 1; r >= 0; r--)
        {
            double sum = b[r];
            for (int k = r + 1; k < p; k++) sum -= a[r, k] * s[k];
            s[r] = sum / a[r, r];
        }
        return s;
    }
}
