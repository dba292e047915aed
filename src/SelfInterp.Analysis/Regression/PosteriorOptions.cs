namespace SelfInterp.Analysis.Regression;

/// <summary>How the posterior mean is computed by importance sampling around the Laplace approximation.</summary>
public sealed record PosteriorOptions
{
    /// <summary>Draws in the first round (antithetic pairs, so rounded up to even).</summary>
    public int InitialDraws { get; init; } = 512;

    /// <summary>The draws are doubled until the effective sample size suffices or this many are reached.</summary>
    public int MaxDraws { get; init; } = 16000;

    /// <summary>Below this effective sample size at <see cref="MaxDraws"/>, the scenario is reported as failed.</summary>
    public double MinEffectiveSampleSize { get; init; } = 200;

    /// <summary>Degrees of freedom of the multivariate-t proposal: heavier tails than the posterior keep the weights bounded.</summary>
    public int ProposalDf { get; init; } = 5;

    public static PosteriorOptions Default { get; } = new();
}
