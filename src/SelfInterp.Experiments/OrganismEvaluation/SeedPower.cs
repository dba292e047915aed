using SelfInterp.Analysis.Statistics;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// Power of the recipe-level test (<see cref="RecipeEstimate"/>: two-sided t on k pretraining seeds' means, 5%) to
/// find a recipe-level effect δ, given the spreads between seeds (σ_b) and between the runs of one seed (σ_w), with
/// m run seeds per pretraining seed. Each seed mean then has sd τ = √(σ_b² + σ_w²/m), the test statistic is
/// non-central t with k − 1 degrees of freedom and non-centrality δ√k/τ, and its power is computed exactly (by
/// integrating the normal over the chi distribution of the sample sd), not by simulation.
/// </summary>
public static class SeedPower
{
    /// <summary>The design sizes a power table shows: run seeds per pretraining seed.</summary>
    public static readonly int[] RunSeedsPerSeed = [1, 2, 3, 5];

    public const double TargetPower = 0.8;
    /// <summary>The largest number of pretraining seeds searched; beyond it a design is "more than" this.</summary>
    public const int MaxSeeds = 200;

    /// <summary>P(the 95% recipe-level interval excludes 0) when the true recipe-level value is <paramref name="effect"/>.</summary>
    public static double Power(double effect, double betweenSd, double withinSd, int seeds, int runsPerSeed)
    {
        if (seeds < 2) throw new ArgumentOutOfRangeException(nameof(seeds), "the test needs at least 2 pretraining seeds");
        if (runsPerSeed < 1) throw new ArgumentOutOfRangeException(nameof(runsPerSeed));
        double tau = Math.Sqrt(betweenSd * betweenSd + withinSd * withinSd / runsPerSeed);
        if (!double.IsFinite(tau)) return double.NaN;
        if (tau == 0) return effect == 0 ? 0.05 : 1;
        return NoncentralTwoSided(effect * Math.Sqrt(seeds) / tau, seeds - 1);
    }

    /// <summary>The fewest pretraining seeds (2 to <see cref="MaxSeeds"/>) that give <see cref="TargetPower"/>, or null if none does.</summary>
    public static int? SeedsNeeded(double effect, double betweenSd, double withinSd, int runsPerSeed)
    {
        if (!double.IsFinite(betweenSd) || !double.IsFinite(withinSd)) return null;
        for (int k = 2; k <= MaxSeeds; k++)
            if (Power(effect, betweenSd, withinSd, k, runsPerSeed) >= TargetPower) return k;
        return null;
    }

    /// <summary>The smallest recipe-level effect that <paramref name="seeds"/> pretraining seeds with
    /// <paramref name="runsPerSeed"/> run seeds each find with <see cref="TargetPower"/>: what a design as run can resolve
    /// (power rises with the effect, so bisection finds it). NaN when a spread is undefined or there are fewer than 2 seeds.</summary>
    public static double DetectableEffect(double betweenSd, double withinSd, int seeds, int runsPerSeed)
    {
        if (seeds < 2 || runsPerSeed < 1 || !double.IsFinite(betweenSd) || !double.IsFinite(withinSd)) return double.NaN;
        double tau = Math.Sqrt(betweenSd * betweenSd + withinSd * withinSd / runsPerSeed);
        if (tau == 0) return 0;
        // 40 seed-mean sds is above the answer for every design: even 2 seeds (1 df, critical t 12.7) reach 80% power at about 11.6.
        double low = 0, high = 40 * tau;
        for (int i = 0; i < 60; i++)
        {
            double mid = (low + high) / 2;
            if (Power(mid, betweenSd, withinSd, seeds, runsPerSeed) >= TargetPower) high = mid; else low = mid;
        }
        return high;
    }

    /// <summary>P(|T| &gt; t₀.₉₇₅) for T non-central t with <paramref name="df"/> degrees of freedom and non-centrality
    /// λ: T = (Z + λ)/U with U = √(χ²/ν), so P = ∫ f_U(u) [Φ(λ − c·u) + Φ(−λ − c·u)] du, by Simpson's rule.</summary>
    public static double NoncentralTwoSided(double lambda, int df)
    {
        double c = StudentT.Critical95(df);
        double upper = 1 + 10 / Math.Sqrt(2.0 * df) + 2;
        const int intervals = 4000;
        double h = upper / intervals, sum = 0;
        double logConstant = Math.Log(2) + df / 2.0 * Math.Log(df / 2.0) - LogGammaHalf(df);
        for (int i = 0; i <= intervals; i++)
        {
            double u = i * h;
            double density = u == 0 ? (df == 1 ? Math.Exp(logConstant) : 0)
                : Math.Exp(logConstant + (df - 1) * Math.Log(u) - df * u * u / 2);
            double f = density * (Normal.Cdf(lambda - c * u) + Normal.Cdf(-lambda - c * u));
            sum += f * (i == 0 || i == intervals ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return Math.Clamp(sum * h / 3, 0, 1);
    }

    /// <summary>ln Γ(n/2) for a whole n ≥ 1, by Γ(x + 1) = xΓ(x) from Γ(1) = 1 or Γ(½) = √π.</summary>
    private static double LogGammaHalf(int n)
    {
        double x = n % 2 == 0 ? 1 : 0.5, log = n % 2 == 0 ? 0 : 0.5 * Math.Log(Math.PI);
        for (; x < n / 2.0; x++) log += Math.Log(x);
        return log;
    }
}

/// <summary>The standard normal distribution function, from the complementary error function's Chebyshev fit
/// (fractional error below 1.2·10⁻⁷ everywhere, Numerical Recipes' erfcc), enough for a power.</summary>
public static class Normal
{
    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                   t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
