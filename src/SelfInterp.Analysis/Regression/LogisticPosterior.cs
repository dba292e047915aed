using System.Runtime.CompilerServices;
using System.Numerics;

namespace SelfInterp.Analysis.Regression;

/// <summary>
/// The unnormalised log posterior of the paper's per-scenario model (brms, as the authors set it):
/// chose A ~ Bernoulli(logistic(α + β·d)), β ~ normal(0, 1) each, α ~ student_t(3, 0, 2.5).
/// Parameters are ordered θ = [α, β₁..β₅].
/// </summary>
public static class LogisticPosterior
{
    public const int P = ChoiceData.Parameters;
    private const double InterceptDf = 3, InterceptScale = 2.5;
    private const double InterceptDenominator = InterceptDf * InterceptScale * InterceptScale; // ν s²

    public static double LogPrior(ReadOnlySpan<double> theta)
    {
        double a = theta[0];
        double lp = -(InterceptDf + 1) / 2 * Math.Log(1 + a * a / InterceptDenominator);
        for (int i = 1; i < P; i++) lp -= 0.5 * theta[i] * theta[i];
        return lp;
    }

    /// <summary>
    /// Log posterior up to a constant: Σ −softplus(−θ·z) + log prior, with softplus(−u) computed as
    /// log(1 + e^{−|u|}) + max(−u, 0) (no overflow). This is the analysis's hot loop, so it runs SIMD over
    /// trials, and multiplies the factors 1 + e^{−|u|} ∈ (1, 2] per lane, taking one logarithm per block of
    /// <see cref="ProductBlock"/> trials instead of one per trial (the product stays below 2^256).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: a one-shot CLI run never reaches tier 1
    public static double LogDensity(ChoiceData data, ReadOnlySpan<double> theta)
    {
        ReadOnlySpan<double> c0 = data.Column(0), c1 = data.Column(1), c2 = data.Column(2),
                             c3 = data.Column(3), c4 = data.Column(4), c5 = data.Column(5);
        int n = data.Count, width = Vector<double>.Count, t = 0;
        double loss = 0;
        if (Vector.IsHardwareAccelerated && n >= width)
        {
            var a = new Vector<double>(theta[0]); var b1 = new Vector<double>(theta[1]); var b2 = new Vector<double>(theta[2]);
            var b3 = new Vector<double>(theta[3]); var b4 = new Vector<double>(theta[4]); var b5 = new Vector<double>(theta[5]);
            var hinge = Vector<double>.Zero;
            var product = Vector<double>.One;
            var logs = Vector<double>.Zero;
            for (int inBlock = 0; t <= n - width; t += width)
            {
                var u = a * new Vector<double>(c0[t..]) + b1 * new Vector<double>(c1[t..]) + b2 * new Vector<double>(c2[t..])
                      + b3 * new Vector<double>(c3[t..]) + b4 * new Vector<double>(c4[t..]) + b5 * new Vector<double>(c5[t..]);
                product *= Vector<double>.One + Vector.Exp(-Vector.Abs(u));
                hinge += Vector.Max(-u, Vector<double>.Zero);
                if (++inBlock == ProductBlock) { logs += Vector.Log(product); product = Vector<double>.One; inBlock = 0; }
            }
            loss = Vector.Sum(logs + Vector.Log(product) + hinge);
        }
        for (; t < n; t++)
        {
            double u = theta[0] * c0[t] + theta[1] * c1[t] + theta[2] * c2[t] + theta[3] * c3[t] + theta[4] * c4[t] + theta[5] * c5[t];
            loss += Math.Log(1 + Math.Exp(-Math.Abs(u))) + Math.Max(-u, 0);
        }
        return LogPrior(theta) - loss;
    }

    private const int ProductBlock = 256;

    /// <summary>
    /// Gradient and negative Hessian (row-major P × P) of the log posterior. With
    /// <paramref name="majorise"/> the intercept prior's curvature is replaced by −(ν+1)/(νs² + α²), which is
    /// always negative, so the Newton matrix stays positive definite where the Student-t prior is not concave.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: a one-shot CLI run never reaches tier 1
    public static void GradientAndNegativeHessian(ChoiceData data, ReadOnlySpan<double> theta, Span<double> gradient,
                                                  Span<double> negHessian, bool majorise)
    {
        gradient.Clear();
        negHessian.Clear();
        Span<double> z = stackalloc double[P];
        for (int t = 0; t < data.Count; t++)
        {
            double u = 0;
            for (int i = 0; i < P; i++) { z[i] = data.Column(i)[t]; u += theta[i] * z[i]; }
            double q = 1 / (1 + Math.Exp(u));        // σ(−u) = d/du of −softplus(−u)
            double w = q * (1 - q);                  // σ(u)σ(−u)
            for (int i = 0; i < P; i++)
            {
                gradient[i] += q * z[i];
                double wz = w * z[i];
                for (int j = 0; j <= i; j++) negHessian[i * P + j] += wz * z[j];
            }
        }
        for (int i = 0; i < P; i++)
            for (int j = 0; j < i; j++) negHessian[j * P + i] = negHessian[i * P + j];

        double a = theta[0], d = InterceptDenominator + a * a;
        gradient[0] -= (InterceptDf + 1) * a / d;
        negHessian[0] += majorise ? (InterceptDf + 1) / d : (InterceptDf + 1) * (InterceptDenominator - a * a) / (d * d);
        for (int i = 1; i < P; i++)
        {
            gradient[i] -= theta[i];
            negHessian[i * P + i] += 1;
        }
    }
}
