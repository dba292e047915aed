using SelfInterp.Core.Random;
using System.Runtime.CompilerServices;

namespace SelfInterp.Analysis.Regression;

/// <summary>
/// Posterior means of the paper's per-scenario logistic regression without MCMC: Newton's method finds
/// the mode, the Laplace approximation (mode, inverse negative Hessian) shapes a multivariate-t proposal,
/// and self-normalised importance sampling with antithetic pairs (m ± δ) corrects the Gaussian
/// approximation towards the exact posterior mean. Antithetic pairs cancel the symmetric part of the
/// sampling noise, leaving only the (small) skew of the posterior to be estimated. If the effective
/// sample size is too small the draws are doubled; failing that, the scenario is reported as failed.
/// </summary>
public static class BayesianLogisticRegression
{
    private const int P = ChoiceData.Parameters;
    private const int MaxNewtonIterations = 200;

    public static PosteriorFit Fit(ChoiceData data, SeededStream random, PosteriorOptions? options = null)
    {
        options ??= PosteriorOptions.Default;
        if (InformationProblem(data) is { } problem) return PosteriorFit.Failed(problem);

        var mode = new double[P];
        if (!TryFindMode(data, mode)) return PosteriorFit.Failed("Newton's method did not converge to the posterior mode");

        Span<double> scale = stackalloc double[P * P];
        if (!TryLaplaceScale(data, mode, scale)) return PosteriorFit.Failed("the posterior's curvature at the mode is singular");

        return ImportanceSample(data, mode, scale, random, options);
    }

    /// <summary>Data that cannot inform the weights: reported, never fitted into noise.</summary>
    private static string? InformationProblem(ChoiceData data)
    {
        if (data.Count == 0) return "no valid selections";
        if (data.ChoseACount == 0 || data.ChoseACount == data.Count)
            return $"all {data.Count} selections are {(data.ChoseACount == 0 ? "B" : "A")}: the choices carry no information about the weights";
        return data.OptionsEverDiffer() ? null : "options A and B never differ";
    }

    private static bool TryFindMode(ChoiceData data, double[] theta)
    {
        Span<double> gradient = stackalloc double[P], negHessian = stackalloc double[P * P];
        Span<double> chol = stackalloc double[P * P], step = stackalloc double[P], trial = stackalloc double[P];
        double current = LogisticPosterior.LogDensity(data, theta);
        for (int iteration = 0; iteration < MaxNewtonIterations; iteration++)
        {
            LogisticPosterior.GradientAndNegativeHessian(data, theta, gradient, negHessian, majorise: true);
            if (!SmallMatrix.TryCholesky(negHessian, P, chol)) return false;
            gradient.CopyTo(step);
            SmallMatrix.CholeskySolve(chol, P, step);
            double decrement = 0;
            for (int i = 0; i < P; i++) decrement += gradient[i] * step[i];
            if (decrement < 1e-20) return true;

            // Backtracking: the majorised Newton step is an ascent direction, so some fraction improves.
            double t = 1, next = double.NegativeInfinity;
            for (int halving = 0; halving < 60; halving++, t *= 0.5)
            {
                for (int i = 0; i < P; i++) trial[i] = theta[i] + t * step[i];
                next = LogisticPosterior.LogDensity(data, trial);
                if (next >= current + 1e-4 * t * decrement) break;
            }
            if (!(next >= current)) return decrement < 1e-12; // no progress possible: converged to rounding
            trial.CopyTo(theta);
            bool small = t * t * decrement < 1e-20;
            current = next;
            if (small) return true;
        }
        return false;
    }

    /// <summary>Lower Cholesky factor of the Laplace covariance (the inverse negative Hessian at the mode).</summary>
    private static bool TryLaplaceScale(ChoiceData data, double[] mode, Span<double> scale)
    {
        Span<double> gradient = stackalloc double[P], negHessian = stackalloc double[P * P];
        Span<double> chol = stackalloc double[P * P], covariance = stackalloc double[P * P];
        LogisticPosterior.GradientAndNegativeHessian(data, mode, gradient, negHessian, majorise: false);
        if (!SmallMatrix.TryCholesky(negHessian, P, chol))
        {
            // The Student-t intercept prior is not log-concave in its tails; its majoriser is, and the
            // importance weights correct for the wider proposal.
            LogisticPosterior.GradientAndNegativeHessian(data, mode, gradient, negHessian, majorise: true);
            if (!SmallMatrix.TryCholesky(negHessian, P, chol)) return false;
        }
        SmallMatrix.CholeskyInverse(chol, P, covariance);
        return SmallMatrix.TryCholesky(covariance, P, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: a one-shot CLI run never reaches tier 1
    private static PosteriorFit ImportanceSample(ChoiceData data, double[] mode, ReadOnlySpan<double> scale,
                                                 SeededStream random, PosteriorOptions options)
    {
        int df = options.ProposalDf;
        int target = Math.Max(2, options.InitialDraws + (options.InitialDraws & 1));
        var thetas = new double[target * P];    // draw k is thetas[k*P .. k*P+P)
        var logWeights = new double[target];
        int drawn = 0;
        Span<double> z = stackalloc double[P];

        while (true)
        {
            for (; drawn < target; drawn += 2)
            {
                double radius = Math.Sqrt(df / random.NextChiSquare(df));
                double squaredNorm = 0;
                for (int i = 0; i < P; i++) { z[i] = random.NextGaussian() * radius; squaredNorm += z[i] * z[i]; }
                var plus = thetas.AsSpan(drawn * P, P);
                var minus = thetas.AsSpan((drawn + 1) * P, P);
                for (int i = 0; i < P; i++)
                {
                    double delta = 0;
                    for (int k = 0; k <= i; k++) delta += scale[i * P + k] * z[k];
                    plus[i] = mode[i] + delta;
                    minus[i] = mode[i] - delta;
                }
                // Multivariate-t log density up to a constant; identical for both members of the pair.
                double logProposal = -(df + P) / 2.0 * Math.Log(1 + squaredNorm / df);
                logWeights[drawn] = LogisticPosterior.LogDensity(data, plus) - logProposal;
                logWeights[drawn + 1] = LogisticPosterior.LogDensity(data, minus) - logProposal;
            }
            var fit = Summarise(thetas, logWeights, mode);
            if (fit.EffectiveSampleSize >= options.MinEffectiveSampleSize) return fit;
            if (target >= options.MaxDraws)
                return PosteriorFit.Failed(
                    $"importance sampling effective sample size {fit.EffectiveSampleSize:F0} of {fit.Draws} draws is below " +
                    $"{options.MinEffectiveSampleSize:F0}: the posterior is far from its normal approximation");
            target = Math.Max(target, Math.Min(options.MaxDraws, target * 2));
            target += target & 1;
            Array.Resize(ref thetas, target * P);
            Array.Resize(ref logWeights, target);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: a one-shot CLI run never reaches tier 1
    private static PosteriorFit Summarise(double[] thetas, double[] logWeights, double[] mode)
    {
        int n = logWeights.Length;
        double max = double.NegativeInfinity;
        foreach (var lw in logWeights) if (lw > max) max = lw;
        var w = new double[n];
        double sum = 0, sumSquares = 0;
        for (int k = 0; k < n; k++)
        {
            w[k] = Math.Exp(logWeights[k] - max);
            sum += w[k];
            sumSquares += w[k] * w[k];
        }
        var mean = new double[P];
        var second = new double[P];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < P; i++)
            {
                double x = thetas[k * P + i];
                mean[i] += w[k] * x;
                second[i] += w[k] * x * x;
            }
        var sd = new double[P];
        for (int i = 0; i < P; i++)
        {
            mean[i] /= sum;
            sd[i] = Math.Sqrt(Math.Max(0, second[i] / sum - mean[i] * mean[i]));
        }
        // Delta-method error of the self-normalised estimate, with each antithetic pair as one independent unit.
        var error = new double[P];
        for (int i = 0; i < P; i++)
        {
            double acc = 0;
            for (int k = 0; k < n; k += 2)
            {
                double unit = w[k] * (thetas[k * P + i] - mean[i]) + w[k + 1] * (thetas[(k + 1) * P + i] - mean[i]);
                acc += unit * unit;
            }
            error[i] = Math.Sqrt(acc) / sum;
        }
        return new PosteriorFit(true, null, mean, (double[])mode.Clone(), sd, error, sum * sum / sumSquares, n);
    }
}
