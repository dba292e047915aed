using SelfInterp.Analysis.Summary;

namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>
/// What one simulated experiment measured: instillation r, the instilled report slope and its 95% interval's
/// width, the held-out slope after introspection training, the training effect and whether its interval
/// excludes 0, and how many scenarios the analysis could not fit. NaN where the analysis had no value.
/// </summary>
public sealed record ReplicateMeasures(
    double InstillationR,
    double InstilledSlope,
    double InstilledIntervalWidth,
    double HeldOutSlope,
    double ItrainingEffect,
    bool EffectExcludesZero,
    int FailedScenarios)
{
    public static ReplicateMeasures From(ModelAnalysis a)
    {
        var instilled = a.Reports.Instilled;
        var effect = a.ItrainingEffect;
        return new ReplicateMeasures(
            a.Instillation?.R ?? double.NaN,
            instilled?.Slope ?? double.NaN,
            instilled is null ? double.NaN : instilled.High - instilled.Low,
            a.Reports.ItrainedHeldOut?.Slope ?? double.NaN,
            effect?.Difference ?? double.NaN,
            effect is not null && (effect.Low > 0 || effect.High < 0),
            a.FailedScenarios.Count);
    }
}
