using SelfInterp.Analysis.Regression;

namespace SelfInterp.Analysis.Summary;

/// <summary>Everything <see cref="Analyzer"/> found in a run directory. Undefined statistics are NaN (null in JSON).</summary>
public sealed record AnalysisSummary(double ElapsedSeconds, IReadOnlyList<ModelAnalysis> Models, IReadOnlyList<string> Warnings)
{
    /// <summary>The scenarios.csv read (in the directory, its parent, or named), relative to the directory analysed
    /// where it can be, so that summary.json's bytes do not depend on where the directory is.</summary>
    public string? ScenariosFile { get; init; }
    /// <summary>The instilled_weights.csv read, if any; relative as <see cref="ScenariosFile"/>.</summary>
    public string? WeightsFile { get; init; }
}

/// <summary>The statistics of one base model (PROTOCOL.md, "Analysis").</summary>
public sealed record ModelAnalysis(
    string BaseModel,
    InstillationStatistics? Instillation,
    ReportStatistics Reports,
    SlopeDifference? ItrainingEffect,
    SlopeDifference? NativeEffect,
    IReadOnlyList<LearnedWeights> LearnedInstilled,
    IReadOnlyList<LearnedWeights> LearnedNative,
    IReadOnlyList<FailedScenario> FailedScenarios)
{
    /// <summary>The itraining effect as a paired comparison over scenarios (<see cref="Statistics.PairedBootstrap"/>);
    /// <see cref="ItrainingEffect"/> is the paper's interaction-model estimate.</summary>
    public SlopeDifference? PairedItrainingEffect { get; init; }
    /// <summary>The native effect as a paired comparison over scenarios; <see cref="NativeEffect"/> is the paper's.</summary>
    public SlopeDifference? PairedNativeEffect { get; init; }
    /// <summary>Instilled − base as a paired comparison over the instilled scenarios: do the instilled model's reports
    /// follow its preferences better than the base model's (the control) do? The paper compares the two intervals.</summary>
    public SlopeDifference? PairedInstilledVsBase { get; init; }
    /// <summary>The positive control: the base model's reports against the weights learned from its own choices.</summary>
    public ConditionStatistics? BaseOwn { get; init; }
    /// <summary>The base model's learned weights on the instilled scenarios (from its own choices).</summary>
    public IReadOnlyList<LearnedWeights> LearnedBase { get; init; } = [];
    /// <summary>Every report measure against the target (instilled) weights; null where its scenarios have none.</summary>
    public ReportStatistics? VersusTarget { get; init; }
    /// <summary>Agreement of our learned weights with regression results published beside the data (the authors' brms output).</summary>
    public IReadOnlyList<PublishedAgreement> Published { get; init; } = [];
}

/// <summary>Pearson r between our learned weights and a published regression-results file, over the scenarios both have.</summary>
public sealed record PublishedAgreement(string File, double R, int Scenarios);

/// <summary>A scenario's learned weights (scaled to max |w| = 100, rounded) and the posterior they come from.</summary>
public sealed record LearnedWeights(int Scenario, int[] Weights, PosteriorFit Posterior, int Selections);

/// <summary>A scenario left out of the learned weights, with the selections file and the reason.</summary>
public sealed record FailedScenario(int Scenario, string SelectionsFile, string Reason);

/// <summary>Learned vs target weights: Pearson r over all scenario × attribute pairs of the instilled scenarios.</summary>
public sealed record InstillationStatistics(double R, int Scenarios, IReadOnlyList<WeightPair> Pairs);

/// <summary>One scenario × attribute: the target (instilled) weight and the learned one.</summary>
public sealed record WeightPair(int Scenario, int Attribute, double Target, double Learned);

/// <summary>
/// One scenario × attribute of a report condition: the mean of its reports, the learned weight, and their
/// z-scores (the regression's variables): the report's within the condition, the learned weight's over all
/// learned weights of the base model's selections file.
/// </summary>
public sealed record ReportPair(int Scenario, int Attribute, double MeanReport, double Learned, double ZReport, double ZLearned);

/// <summary>
/// Report accuracy in one condition: the OLS slope of z(learned) on z(mean report) with its t-based 95% interval
/// (the paper's brms fit has flat priors on this slope, so its posterior mean and interval are these), Pearson r
/// of the same pairs, n scenario × attribute pairs, bad reports (counted, left out) and other excluded rows.
/// </summary>
public sealed record ConditionStatistics(
    double Slope, double Low, double High, double R, int N, int BadReports, int ExcludedRows, IReadOnlyList<ReportPair> Pairs);

/// <summary>The seven report measures; null where the run has no such file.</summary>
public sealed record ReportStatistics(
    ConditionStatistics? Base,
    ConditionStatistics? Instilled,
    ConditionStatistics? ItrainedFirstHalf,
    ConditionStatistics? ItrainedSecondHalf,
    ConditionStatistics? ItrainedHeldOut,
    ConditionStatistics? NativeBefore,
    ConditionStatistics? NativeAfter)
{
    /// <summary>The measures in summary order, with their JSON keys.</summary>
    public IEnumerable<(string Key, ConditionStatistics? Statistics)> Named()
    {
        yield return ("base", Base);
        yield return ("instilled", Instilled);
        yield return ("itrained_first_half", ItrainedFirstHalf);
        yield return ("itrained_second_half", ItrainedSecondHalf);
        yield return ("itrained_held_out", ItrainedHeldOut);
        yield return ("native_before", NativeBefore);
        yield return ("native_after", NativeAfter);
    }
}

/// <summary>A difference of two report slopes (later − earlier) with its 95% interval.</summary>
public sealed record SlopeDifference(double Difference, double Low, double High);
