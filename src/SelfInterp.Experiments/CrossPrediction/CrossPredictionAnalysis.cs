using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;

namespace SelfInterp.Experiments.CrossPrediction;

/// <summary>Self- and cross-report accuracy and their paired difference (self − cross) with its 95% interval.</summary>
public sealed record CrossPredictionResult(
    ConditionStatistics Self, ConditionStatistics Cross, double Difference, double Low, double High, int Scenarios, int Replicates)
{
    /// <summary>Rows of the cross model's report file left out, with file and line (the self file's are the preferences analysis's own).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Both models' reports scored as the paper scores any report condition: against the instilled model's learned
/// weights (from its choices), slope of z(learned) on z(mean report). The difference is paired: the two models
/// answered the same prompts on the same scenarios, so the interval comes from the seeded paired bootstrap over
/// scenarios (<see cref="PairedBootstrap"/>), which recomputes both slopes on the same resample.
/// </summary>
public static class CrossPredictionAnalysis
{
    public static CrossPredictionResult Analyze(string runDir, AnalysisSummary summary, string model, ulong masterSeed)
    {
        var analysis = summary.Models.FirstOrDefault(m => m.BaseModel == model)
            ?? throw new DataFileException(runDir, null, null, $"no analysis of base model '{model}'");
        var learned = ReportAccuracy.StandardiseLearned(analysis.LearnedInstilled);
        var scenarios = ScenarioRanges.Read(Path.Combine(runDir, PaperLayout.ScenariosFile));
        ConditionStatistics Score(string file, ExclusionLog log)
        {
            var reports = ReportSet.Read(Path.Combine(runDir, file), scenarios, log);
            return ReportAccuracy.Compute(ReportAccuracy.Pair(reports, learned, []), reports.BadReports, reports.ExcludedRows);
        }
        var selfFile = ReportFiles.Find(runDir, model).GetValueOrDefault(ReportCondition.Instilled)
            ?? throw new DataFileException(Path.Combine(runDir, ReportFiles.Pattern(model, ReportCondition.Instilled)), null, null, "file not found: the self-reports");
        var self = Score(selfFile, new ExclusionLog()); // already in the summary's warnings
        var crossLog = new ExclusionLog();
        var cross = Score(CrossLayout.Reports(model), crossLog);

        // Paired over scenarios, as the preferences analysis pairs its effects: cross is the "earlier" condition.
        var d = PairedBootstrap.Difference([cross.Pairs], [self.Pairs], SeededStream.Derive(masterSeed, "cross_prediction_bootstrap"))!;
        int shared = self.Pairs.Concat(cross.Pairs).Select(p => p.Scenario).Distinct().Count();
        return new CrossPredictionResult(self, cross, d.Difference, d.Low, d.High, shared, PairedBootstrap.Replicates) { Warnings = crossLog.Warnings() };
    }
}
