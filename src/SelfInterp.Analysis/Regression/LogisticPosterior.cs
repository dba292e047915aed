namespace SelfInterp.Analysis.Regression;

/// <summary>
/// The unnormalised log posterior of the paper's per-scenario model (brms defaults as the authors set
/// them): chose A ~ Bernoulli(logistic(α + β·d)), β ~ normal(0, 1) each, α ~ student_t(3, 0, 2.5).
/// Parameters are ordered θ = [α, β₁..β₅].
/// </summary>
public static class LogisticPosterior
{
    public const int P = ChoiceData.Parameters;
    private const double InterceptDf = 3, InterceptScale = 2.5;
    private const double InterceptDenominator = InterceptDf * InterceptScale * InterceptScale; // ν s²

    /// <summary>log(1 + e^v) without overflow or loss of precision.</summary>
    public static double Softplus(double v) => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v));

    public static double LogPrior(ReadOnlySpan<double> theta)
    {
        double a = theta[0];
        double lp = -(InterceptDf + 1) / 2 * Math.Log(1 + a * a / InterceptDenominator);
        for (int i = 1; i < P; i++) lp -= 0.5 * theta[i] * theta[i];
        return lp;
    }

    /// <summary>Log posterior up to a constant.</summary>
    public static double LogDensity(ChoiceData data, ReadOnlySpan<double> theta)
    {
        var rows = data.SignedRows;
        double a = theta[0], b1 = theta[1], b2 = theta[2], b3 = theta[3], b4 = theta[4], b5 = theta[5];
        double ll = 0;
        for (int o = 0; o < rows.Length; o += P)
        {
            double u = a * rows[o] + b1 * rows[o + 1] + b2 * rows[o + 2] + b3 * rows[o + 3] + b4 * rows[o + 4] + b5 * rows[o + 5];
            // −softplus(−u), branch-light: log(1 + e^{−|u|}) + max(−u, 0)
            ll -= Math.Log(1 + Math.Exp(-Math.Abs(u))) + Math.Max(-u, 0);
        }
        return ll + LogPrior(theta);
    }

    /// <summary>
    /// Gradient and negative Hessian (row-major P × P) of the log posterior. With
    /// <paramref name="majorise"/> the intercept prior's curvature is replaced by −(ν+1)/(νs² + α²), which is
    /// always negative, so the Newton matrix stays positive definite where the Student-t prior is not concave.
    /// </summary>
    public static void GradientAndNegativeHessian(ChoiceData data, ReadOnlySpan<double> theta, Span<double> gradient,
                                                  Span<double> negHessian, bool majorise)
    {
        gradient.Clear();
        negHessian.Clear();
        var rows = data.SignedRows;
        for (int o = 0; o < rows.Length; o += P)
        {
            var z = rows.Slice(o, P);
            double u = 0;
            for (int i = 0; i < P; i++) u += theta[i] * z[i];
            double q = 1 / (1 + Math.Exp(u));        // σ(−u): d/du of −softplus(−u)
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
