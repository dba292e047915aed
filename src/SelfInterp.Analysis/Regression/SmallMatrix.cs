namespace SelfInterp.Analysis.Regression;

/// <summary>
/// Dense linear algebra for the tiny symmetric systems of this project (6 × 6 posteriors, 4 × 4 least
/// squares), on row-major arrays. Written out because the sizes are fixed and small: no library call
/// overhead, and every step is visible.
/// </summary>
public static class SmallMatrix
{
    /// <summary>
    /// Lower Cholesky factor L (row-major, n × n) with A = L Lᵀ, or false when A is not positive definite.
    /// </summary>
    public static bool TryCholesky(ReadOnlySpan<double> a, int n, Span<double> l)
    {
        l.Clear();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * n + j];
                for (int k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                if (i == j)
                {
                    if (!(sum > 0) || !double.IsFinite(sum)) return false;
                    l[i * n + i] = Math.Sqrt(sum);
                }
                else l[i * n + j] = sum / l[j * n + j];
            }
        }
        return true;
    }

    /// <summary>Solves L Lᵀ x = b in place (b becomes x), given the Cholesky factor L.</summary>
    public static void CholeskySolve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i * n + k] * b[k];
            b[i] = sum / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = b[i];
            for (int k = i + 1; k < n; k++) sum -= l[k * n + i] * b[k];
            b[i] = sum / l[i * n + i];
        }
    }

    /// <summary>The inverse of L Lᵀ (row-major, n × n), column by column.</summary>
    public static void CholeskyInverse(ReadOnlySpan<double> l, int n, Span<double> inverse)
    {
        Span<double> column = stackalloc double[n];
        for (int j = 0; j < n; j++)
        {
            column.Clear();
            column[j] = 1;
            CholeskySolve(l, n, column);
            for (int i = 0; i < n; i++) inverse[i * n + j] = column[i];
        }
    }
}
