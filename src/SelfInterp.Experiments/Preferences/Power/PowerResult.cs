namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>The measures of one grid point across its replicates.</summary>
public sealed record PowerCellResult(
    PowerCell Cell,
    Distribution InstillationR,
    Distribution InstilledSlope,
    Distribution InstilledIntervalWidth,
    Distribution HeldOutSlope,
    Distribution ItrainingEffect,
    double EffectExcludesZeroRate,
    double MeanFailedScenarios,
    IReadOnlyList<ReplicateMeasures> Replicates)
{
    public static PowerCellResult Of(PowerCell cell, IReadOnlyList<ReplicateMeasures> r) => new(
        cell,
        Distribution.Of(r.Select(m => m.InstillationR)),
        Distribution.Of(r.Select(m => m.InstilledSlope)),
        Distribution.Of(r.Select(m => m.InstilledIntervalWidth)),
        Distribution.Of(r.Select(m => m.HeldOutSlope)),
        Distribution.Of(r.Select(m => m.ItrainingEffect)),
        r.Count(m => m.EffectExcludesZero) / (double)r.Count,
        r.Average(m => m.FailedScenarios),
        r);
}

/// <summary>A whole power analysis: the grid it swept and one result per point, in the grid's order.</summary>
public sealed record PowerResult(PowerGrid Grid, IReadOnlyList<PowerCellResult> Cells, double ElapsedSeconds);
