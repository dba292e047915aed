using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Analysis.Statistics;

/// <summary>
/// The paper's report-accuracy statistics (as in the authors' analysis script): learned weights z-scored per
/// base model over all scenario × attribute pairs of their selections file; reports averaged per scenario ×
/// attribute and z-scored within their condition (one reporting model); then z(learned) regressed on
/// z(mean report). Because the two z-scores are taken over different sets, the slope is close to, but
/// not exactly, Pearson's r of the condition's pairs.
/// </summary>
public static class ReportAccuracy
{
    /// <summary>Learned weights by scenario, with their z-scores over all the given scenarios' pairs.</summary>
    public static Dictionary<int, StandardisedWeights> StandardiseLearned(IReadOnlyList<LearnedWeights> learned) =>
        Standardise(learned.Select(w => (w.Scenario, w.Weights.Select(v => (double)v).ToArray())).ToList());

    /// <summary>Any weights by scenario (learned or target), with their z-scores over all the given scenarios' pairs.</summary>
    public static Dictionary<int, StandardisedWeights> Standardise(IReadOnlyList<(int Scenario, double[] Weights)> weights)
    {
        var z = Descriptive.ZScores(weights.SelectMany(w => w.Weights).ToArray());
        return weights.Select((w, k) => (w, k)).ToDictionary(p => p.w.Scenario, p => new StandardisedWeights(p.w.Weights, z[(p.k * 5)..(p.k * 5 + 5)]));
    }

    /// <summary>
    /// Pairs each scenario's mean report with its weights (learned or target). Scenarios without weights
    /// (failed fit, no selections, never instilled) are left out and returned, so the caller can say so.
    /// </summary>
    public static List<ReportPair> Pair(ReportSet reports, IReadOnlyDictionary<int, StandardisedWeights> weights, List<int> without)
    {
        var raw = new List<(int Scenario, int Attribute, double Report, double Learned, double ZLearned)>();
        foreach (var (scenario, mean) in reports.MeanReports)
        {
            if (!weights.TryGetValue(scenario, out var w)) { without.Add(scenario); continue; }
            for (int i = 0; i < 5; i++) raw.Add((scenario, i + 1, mean[i], w.Weights[i], w.Z[i]));
        }
        var zReport = Descriptive.ZScores(raw.Select(p => p.Report).ToArray());
        return raw.Select((p, k) => new ReportPair(p.Scenario, p.Attribute, p.Report, p.Learned, zReport[k], p.ZLearned)).ToList();
    }

    /// <summary>Slope of z(learned) on z(mean report), its 95% interval, and Pearson r, over the given pairs.</summary>
    public static ConditionStatistics Compute(IReadOnlyList<ReportPair> pairs, int badReports, int excludedRows)
    {
        var fit = LeastSquares.Fit(pairs.Select(p => new[] { 1.0, p.ZReport }).ToList(), pairs.Select(p => p.ZLearned).ToList());
        double r = Descriptive.Pearson(pairs.Select(p => p.ZReport).ToArray(), pairs.Select(p => p.ZLearned).ToArray());
        if (fit is null) return new ConditionStatistics(double.NaN, double.NaN, double.NaN, r, pairs.Count, badReports, excludedRows, pairs);
        var (low, high) = fit.Interval95(1);
        return new ConditionStatistics(fit.Coefficients[1], low, high, r, pairs.Count, badReports, excludedRows, pairs);
    }

    /// <summary>
    /// The paper's method: later − earlier slope, from one regression on the stacked pairs with an interaction:
    /// z(learned) = b₀ + b₁ z(report) + b₂ g + b₃ g·z(report), g = 1 for the later condition. b₃ equals the
    /// difference of the two separate slopes; its t-based interval uses the residual variance pooled over
    /// both conditions (df = n₁ + n₂ − 4). The pairs share scenarios' learned weights, which this treats as
    /// independent, as the paper's model does. (The authors fit one Bayesian model across both base models
    /// and average the contrast over them; this is the same contrast for one base model.)
    /// </summary>
    public static SlopeDifference? Difference(ConditionStatistics? earlier, ConditionStatistics? later)
    {
        if (earlier is null || later is null) return null;
        // A condition without a slope of its own (no valid reports) makes no difference of slopes, whatever the solver says.
        if (!double.IsFinite(earlier.Slope) || !double.IsFinite(later.Slope)) return new SlopeDifference(double.NaN, double.NaN, double.NaN);
        var x = new List<double[]>();
        var y = new List<double>();
        foreach (var p in earlier.Pairs) { x.Add([1, p.ZReport, 0, 0]); y.Add(p.ZLearned); }
        foreach (var p in later.Pairs) { x.Add([1, p.ZReport, 1, p.ZReport]); y.Add(p.ZLearned); }
        var fit = LeastSquares.Fit(x, y);
        if (fit is null) return new SlopeDifference(double.NaN, double.NaN, double.NaN);
        var (low, high) = fit.Interval95(3);
        return new SlopeDifference(fit.Coefficients[3], low, high);
    }
}

/// <summary>One scenario's five weights and their z-scores over the set they were standardised in.</summary>
public sealed record StandardisedWeights(double[] Weights, double[] Z);
