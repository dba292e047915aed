using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Analysis.Statistics;

/// <summary>
/// The paper's report-accuracy statistics: mean reports per scenario × attribute, z-scored within their
/// condition together with the learned weights of the same pairs, then z(learned) regressed on z(mean report).
/// </summary>
public static class ReportAccuracy
{
    /// <summary>
    /// Pairs each scenario's mean report with its learned weights. Scenarios without learned weights
    /// (failed fit, or no selections) are left out and returned, so the caller can say so.
    /// </summary>
    public static List<ReportPair> Pair(ReportSet reports, IReadOnlyDictionary<int, int[]> learned, List<int> withoutLearned)
    {
        var raw = new List<(int Scenario, int Attribute, double Report, double Learned)>();
        foreach (var (scenario, mean) in reports.MeanReports)
        {
            if (!learned.TryGetValue(scenario, out var weights)) { withoutLearned.Add(scenario); continue; }
            for (int i = 0; i < 5; i++) raw.Add((scenario, i + 1, mean[i], weights[i]));
        }
        var zReport = Descriptive.ZScores(raw.Select(p => p.Report).ToArray());
        var zLearned = Descriptive.ZScores(raw.Select(p => p.Learned).ToArray());
        return raw.Select((p, k) => new ReportPair(p.Scenario, p.Attribute, p.Report, p.Learned, zReport[k], zLearned[k])).ToList();
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
    /// later − earlier slope, from one regression on the stacked pairs with an interaction:
    /// z(learned) = b₀ + b₁ z(report) + b₂ g + b₃ g·z(report), g = 1 for the later condition. b₃ equals the
    /// difference of the two separate slopes; its interval uses the residual variance pooled over both
    /// conditions (df = n₁ + n₂ − 4). The two conditions share scenarios' learned weights, which this
    /// treats as independent, as the paper's interaction model does.
    /// </summary>
    public static SlopeDifference? Difference(ConditionStatistics? earlier, ConditionStatistics? later)
    {
        if (earlier is null || later is null) return null;
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
