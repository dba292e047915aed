using SelfInterp.Core.Runs;

namespace SelfInterp.WhiteBox;

/// <summary>Bounds on the lab's work, so that `probe` and `intervene` can be run at a small scale on a model too slow
/// for the full lab (a real checkpoint on a small CPU). A lab run with either bound is a reduced one, and is recorded
/// as such (<see cref="LabManifest"/>).</summary>
/// <param name="Scenarios">Measure each model on at most the first this many of its instilled scenarios and of its
/// native ones; null for all.</param>
/// <param name="ReportTokens">Decode at most this many tokens of each report (the run's own report_max_tokens when
/// that is fewer); null for the run's setting.</param>
public sealed record LabLimits(int? Scenarios = null, int? ReportTokens = null)
{
    /// <summary>The fewest scenarios of each kind a limited lab measures a model on: cross-validation by scenario folds
    /// needs a scenario to hold out and one to fit on.</summary>
    public const int MinScenarios = 2;

    public void Check()
    {
        if (Scenarios < MinScenarios)
            throw new UsageException($"--scenarios: need at least {MinScenarios} scenarios of each kind per model (the probes are cross-validated by holding out whole scenarios), got {Scenarios}");
        if (ReportTokens < 1)
            throw new UsageException($"--report-tokens: need at least 1 token per report, got {ReportTokens}");
    }
}
