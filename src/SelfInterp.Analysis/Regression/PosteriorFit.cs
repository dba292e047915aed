namespace SelfInterp.Analysis.Regression;

/// <summary>
/// The outcome of one scenario's Bayesian logistic regression. Parameter vectors are [α, β₁..β₅].
/// When <see cref="Succeeded"/> is false, <see cref="FailureReason"/> says why and the vectors are empty.
/// </summary>
public sealed record PosteriorFit(
    bool Succeeded,
    string? FailureReason,
    double[] Mean,
    double[] Mode,
    double[] StandardDeviation,
    double[] MonteCarloError,
    double EffectiveSampleSize,
    int Draws)
{
    public static PosteriorFit Failed(string reason) => new(false, reason, [], [], [], [], 0, 0);

    /// <summary>The five slopes' posterior means.</summary>
    public ReadOnlySpan<double> SlopeMeans => Mean.AsSpan(1);
}
