using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Regression;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;
using System.Diagnostics;

namespace SelfInterp.Analysis;

/// <summary>
/// The paper's analysis of a run directory in its published layout (ours or the authors'): learned weights
/// per scenario, instillation r, report accuracy per condition, and the effects of introspection training.
/// Reads only; writes to runDir/analysis/.
/// </summary>
public static class Analyzer
{

    public static AnalysisSummary Analyze(string runDir, AnalysisOptions? options = null)
    {
        options ??= AnalysisOptions.Default;
        var clock = Stopwatch.StartNew();
        if (!Directory.Exists(runDir)) throw new DataFileException(runDir, null, null, "the run directory does not exist");

        var models = FindBaseModels(runDir);
        var scenarios = ScenarioRanges.Read(Path.Combine(runDir, PaperLayout.ScenariosFile));
        var targetsPath = Path.Combine(runDir, PaperLayout.InstilledWeightsFile);
        var targets = File.Exists(targetsPath) ? TargetWeights.Read(targetsPath) : null;
        var log = new ExclusionLog();
        var notes = new List<string>();
        if (targets is null) notes.Add($"{PaperLayout.InstilledWeightsFile} not found: no instillation r");

        var inputs = ModelInputs.ReadAll(runDir, models, scenarios, log);
        var analyses = inputs.Select(m => AnalyzeModel(m, targets, options, notes)).ToList();
        var warnings = log.Warnings().Concat(notes).ToList();
        var summary = new AnalysisSummary(clock.Elapsed.TotalSeconds, analyses, warnings);

        if (options.WriteFiles)
        {
            var outDir = Path.Combine(runDir, PaperLayout.AnalysisDirectory);
            foreach (var a in analyses)
            {
                WriteRegressionResults(Path.Combine(outDir, PaperLayout.RegressionResults(a.BaseModel)), a.LearnedInstilled);
                if (inputs.Single(m => m.Model == a.BaseModel).LatentChoices is not null)
                    WriteRegressionResults(Path.Combine(outDir, PaperLayout.LatentRegressionResults(a.BaseModel)), a.LearnedNative);
            }
            summary = summary with { ElapsedSeconds = clock.Elapsed.TotalSeconds };
            AtomicFile.WriteAllText(Path.Combine(outDir, PaperLayout.SummaryFile), SummaryJson.Write(summary));
        }
        return summary;
    }

    /// <summary>Base models, named by their <c>{model}_instilled_selections.csv</c>, in ordinal order.</summary>
    public static List<string> FindBaseModels(string runDir)
    {
        var models = Directory.EnumerateFiles(runDir, "*" + PaperLayout.SelectionsSuffix)
            .Select(Path.GetFileName)
            .Select(f => f![..^PaperLayout.SelectionsSuffix.Length])
            .Where(m => m.Length > 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (models.Count == 0)
            throw new DataFileException(runDir, null, null, $"no base model: no file named {{model}}{PaperLayout.SelectionsSuffix}");
        return models;
    }

    private static ModelAnalysis AnalyzeModel(ModelInputs inputs, SortedDictionary<int, double[]>? targets,
        AnalysisOptions options, List<string> notes)
    {
        var model = inputs.Model;
        var instilledFile = PaperLayout.InstilledSelections(model);
        var failed = new List<FailedScenario>();
        // An instilled scenario with no selection rows at all is a failure to report, not a gap.
        if (targets is not null)
            foreach (var id in targets.Keys)
                if (!inputs.InstilledChoices.ContainsKey(id)) failed.Add(new FailedScenario(id, instilledFile, "no selections for this instilled scenario"));
        var (learned, instilledFailed) = LearnedWeightsFitter.FitAll(inputs.InstilledChoices, instilledFile, options);
        failed.AddRange(instilledFailed);

        var native = new List<LearnedWeights>();
        if (inputs.LatentChoices is { } latent)
        {
            var (n, nativeFailed) = LearnedWeightsFitter.FitAll(latent, PaperLayout.LatentSelections(model), options);
            native = n;
            failed.AddRange(nativeFailed);
        }
        failed = failed.OrderBy(f => f.SelectionsFile, StringComparer.Ordinal).ThenBy(f => f.Scenario).ToList();

        var learnedById = ReportAccuracy.StandardiseLearned(learned);
        var nativeById = ReportAccuracy.StandardiseLearned(native);
        ConditionStatistics? Condition(ReportCondition c, Dictionary<int, (int[], double[])> weights) =>
            inputs.Reports.TryGetValue(c, out var reports)
                ? ConditionStatisticsOf(PaperLayout.Reports(model, c), reports, weights, notes)
                : null;

        var first = Condition(ReportCondition.ItrainedFirstHalf, learnedById);
        var second = Condition(ReportCondition.ItrainedSecondHalf, learnedById);
        var instilled = Condition(ReportCondition.Instilled, learnedById);
        var heldOut = PoolHalves(first, second);
        var reportStatistics = new ReportStatistics(
            Base: Condition(ReportCondition.Base, learnedById),
            Instilled: instilled,
            ItrainedFirstHalf: first,
            ItrainedSecondHalf: second,
            ItrainedHeldOut: heldOut,
            NativeBefore: Condition(ReportCondition.NativeBefore, nativeById),
            NativeAfter: Condition(ReportCondition.NativeAfter, nativeById));

        return new ModelAnalysis(
            model,
            targets is null ? null : Instillation(targets, learned),
            reportStatistics,
            ReportAccuracy.Difference(instilled, heldOut),
            ReportAccuracy.Difference(reportStatistics.NativeBefore, reportStatistics.NativeAfter),
            learned, native, failed);
    }

    private static ConditionStatistics ConditionStatisticsOf(string file, ReportSet reports,
        Dictionary<int, (int[] Weights, double[] Z)> learned, List<string> notes)
    {
        var withoutLearned = new List<int>();
        var pairs = ReportAccuracy.Pair(reports, learned, withoutLearned);
        if (withoutLearned.Count > 0)
            notes.Add($"{file}: reports on {withoutLearned.Count} scenario(s) without learned weights left out " +
                      $"(failed fit or no selections); e.g. scenario {string.Join(", ", withoutLearned.Take(5))}");
        return ReportAccuracy.Compute(pairs, reports.BadReports, reports.ExcludedRows);
    }

    /// <summary>
    /// The paper's held-out measure: each half's pairs, already z-scored within their own condition, pooled
    /// into one regression. With only one half present, that half alone.
    /// </summary>
    private static ConditionStatistics? PoolHalves(ConditionStatistics? first, ConditionStatistics? second)
    {
        if (first is null && second is null) return null;
        var halves = new[] { first, second }.OfType<ConditionStatistics>().ToList();
        return ReportAccuracy.Compute(
            halves.SelectMany(h => h.Pairs).ToList(), halves.Sum(h => h.BadReports), halves.Sum(h => h.ExcludedRows));
    }

    private static InstillationStatistics Instillation(SortedDictionary<int, double[]> targets, List<LearnedWeights> learned)
    {
        var pairs = new List<WeightPair>();
        foreach (var w in learned)
            if (targets.TryGetValue(w.Scenario, out var target))
                for (int i = 0; i < 5; i++) pairs.Add(new WeightPair(w.Scenario, i + 1, target[i], w.Weights[i]));
        // z-scoring both sides (as the paper does) leaves Pearson's r unchanged, so r is computed directly.
        double r = Descriptive.Pearson(pairs.Select(p => p.Target).ToArray(), pairs.Select(p => p.Learned).ToArray());
        return new InstillationStatistics(r, pairs.Count / 5, pairs);
    }

    private static void WriteRegressionResults(string path, IReadOnlyList<LearnedWeights> learned)
    {
        var csv = new CsvWriter(PaperLayout.RegressionColumns);
        foreach (var w in learned)
        {
            csv.Field(w.Scenario);
            foreach (var v in w.Weights) csv.Field(v);
        }
        csv.WriteTo(path);
    }
}
