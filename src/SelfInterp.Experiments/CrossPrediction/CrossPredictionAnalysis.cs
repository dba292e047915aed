using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;

namespace SelfInterp.Experiments.CrossPrediction;

/// <summary>Self- and cross-report accuracy and their paired difference (self − cross) with its 95% interval.</summary>
public sealed record CrossPredictionResult(
    ConditionStatistics Self, ConditionStatistics Cross, double Difference, double Low, double High, int Scenarios, int Replicates);

/// <summary>
/// Both models' reports scored as the paper scores any report condition: against the instilled model's learned
/// weights (from its choices), slope of z(learned) on z(mean report). The difference is paired: the two models
/// answered the same prompts on the same scenarios, so the interval comes from a seeded bootstrap that resamples
/// scenarios and recomputes both slopes on the same resample.
/// </summary>
public static class CrossPredictionAnalysis
{
    public const int Replicates = 2000;

    public static CrossPredictionResult Analyze(string runDir, AnalysisSummary summary, string model, ulong masterSeed)
    {
        var analysis = summary.Models.FirstOrDefault(m => m.BaseModel == model)
            ?? throw new DataFileException(runDir, null, null, $"no analysis of base model '{model}'");
        var learned = ReportAccuracy.StandardiseLearned(analysis.LearnedInstilled);
        var scenarios = ScenarioRanges.Read(Path.Combine(runDir, PaperLayout.ScenariosFile));
        var log = new ExclusionLog();
        ConditionStatistics Score(string file)
        {
            var reports = ReportSet.Read(Path.Combine(runDir, file), scenarios, log);
            return ReportAccuracy.Compute(ReportAccuracy.Pair(reports, learned, []), reports.BadReports, reports.ExcludedRows);
        }
        var self = Score(PaperLayout.Reports(model, ReportCondition.Instilled));
        var cross = Score(CrossLayout.Reports(model));

        var selfBy = self.Pairs.GroupBy(p => p.Scenario).ToDictionary(g => g.Key, g => g.ToArray());
        var crossBy = cross.Pairs.GroupBy(p => p.Scenario).ToDictionary(g => g.Key, g => g.ToArray());
        var shared = selfBy.Keys.Where(crossBy.ContainsKey).Order().ToArray();
        var (low, high) = PairedBootstrap(shared, selfBy, crossBy, SeededStream.Derive(masterSeed, "cross_prediction_bootstrap"));
        return new CrossPredictionResult(self, cross, self.Slope - cross.Slope, low, high, shared.Length, Replicates);
    }

    /// <summary>Percentile 95% interval of slope(self) − slope(cross) over scenario resamples.</summary>
    public static (double Low, double High) PairedBootstrap(int[] scenarios, Dictionary<int, ReportPair[]> self,
        Dictionary<int, ReportPair[]> cross, SeededStream rng)
    {
        if (scenarios.Length < 2) return (double.NaN, double.NaN);
        var differences = new double[Replicates];
        var draw = new int[scenarios.Length];
        for (int b = 0; b < Replicates; b++)
        {
            for (int i = 0; i < draw.Length; i++) draw[i] = scenarios[rng.NextInt(scenarios.Length)];
            differences[b] = Slope(draw, self) - Slope(draw, cross);
        }
        var finite = differences.Where(double.IsFinite).Order().ToArray();
        return finite.Length == 0 ? (double.NaN, double.NaN) : (Quantile(finite, 0.025), Quantile(finite, 0.975));
    }

    /// <summary>OLS slope of z(learned) on z(report) over the drawn scenarios' pairs (with repeats).</summary>
    private static double Slope(int[] draw, Dictionary<int, ReportPair[]> pairs)
    {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (int s in draw)
            foreach (var p in pairs[s])
            {
                n++; sx += p.ZReport; sy += p.ZLearned; sxx += p.ZReport * p.ZReport; sxy += p.ZReport * p.ZLearned;
            }
        double varX = sxx - sx * sx / n;
        return varX > 0 ? (sxy - sx * sy / n) / varX : double.NaN;
    }

    private static double Quantile(double[] sorted, double q)
    {
        double at = q * (sorted.Length - 1);
        int i = (int)Math.Floor(at);
        return i + 1 < sorted.Length ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }
}
