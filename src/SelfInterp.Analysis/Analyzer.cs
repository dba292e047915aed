using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Regression;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Random;
using System.Diagnostics;

namespace SelfInterp.Analysis;

/// <summary>
/// The paper's analysis of a run directory in its published layout (ours or the authors'): learned weights
/// per scenario, instillation r, report accuracy per condition (against learned and target weights), the effects
/// of introspection training (the paper's interaction model and a paired bootstrap), and the base model's
/// positive control where a run has its choices. Reads only; writes to runDir/analysis/.
/// </summary>
public static class Analyzer
{
    /// <summary>The report files whose scenarios are the instilled ones.</summary>
    private static readonly ReportCondition[] InstilledConditions =
        [ReportCondition.Base, ReportCondition.Instilled, ReportCondition.ItrainedFirstHalf, ReportCondition.ItrainedSecondHalf];

    public static AnalysisSummary Analyze(string runDir, AnalysisOptions? options = null)
    {
        options ??= AnalysisOptions.Default;
        var clock = Stopwatch.StartNew();
        if (!Directory.Exists(runDir)) throw new DataFileException(runDir, null, null, "the run directory does not exist");

        var models = FindBaseModels(runDir);
        var scenariosPath = InputFiles.Scenarios(runDir, options.ScenariosFile);
        var targetsPath = InputFiles.Weights(runDir, options.WeightsFile);
        var scenarios = ScenarioRanges.Read(scenariosPath);
        var targets = targetsPath is null ? null : TargetWeights.Read(targetsPath, scenarios.Keys);
        var log = new ExclusionLog();
        var notes = new List<string>();
        if (targets is null) notes.Add($"{PaperLayout.InstilledWeightsFile} not found: no instillation r and no comparison with target weights");

        var inputs = ModelInputs.ReadAll(runDir, models, scenarios, log);
        var analyses = inputs.Select(m => AnalyzeModel(runDir, m, scenarios, targets, options, log, notes)).ToList();
        var warnings = log.Warnings().Concat(notes).ToList();
        var summary = new AnalysisSummary(clock.Elapsed.TotalSeconds, analyses, warnings)
        {
            ScenariosFile = Path.GetRelativePath(runDir, scenariosPath),
            WeightsFile = targetsPath is null ? null : Path.GetRelativePath(runDir, targetsPath),
        };

        if (options.WriteFiles)
        {
            // The report's checks of the directory (missing files, conditions without data, raw replies), so that
            // every warning lands in summary.json. They read the files again, so only for a summary that is written.
            summary = summary with { Warnings = warnings.Concat(RunChecks.Of(runDir, summary).Summarised).Distinct(StringComparer.Ordinal).ToList() };
            var outDir = Path.Combine(options.OutputDirectory ?? runDir, PaperLayout.AnalysisDirectory);
            foreach (var a in analyses)
            {
                WriteRegressionResults(Path.Combine(outDir, PaperLayout.RegressionResults(a.BaseModel)), a.LearnedInstilled, scenarios.Keys);
                if (inputs.Single(m => m.Model == a.BaseModel).LatentChoices is not null)
                    WriteRegressionResults(Path.Combine(outDir, PaperLayout.LatentRegressionResults(a.BaseModel)), a.LearnedNative, scenarios.Keys);
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

    private static ModelAnalysis AnalyzeModel(string runDir, ModelInputs inputs, ScenarioRanges scenarios,
        SortedDictionary<int, double[]>? allTargets, AnalysisOptions options, ExclusionLog log, List<string> notes)
    {
        var model = inputs.Model;
        var instilledFile = PaperLayout.InstilledSelections(model);
        // The published instilled_weights.csv has a row for every scenario of the catalog; the instilled ones are
        // those the instilled-scenario files name.
        var instilledIds = new SortedSet<int>(inputs.InstilledChoices.Keys);
        foreach (var c in InstilledConditions)
            if (inputs.Reports.TryGetValue(c, out var set)) instilledIds.UnionWith(set.Scenarios);
        var targets = allTargets?.Where(t => instilledIds.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value);

        var failed = new List<FailedScenario>();
        // An instilled scenario with no selection rows at all is a failure to report, not a gap.
        if (targets is not null)
            foreach (var id in targets.Keys)
                if (!inputs.InstilledChoices.ContainsKey(id)) failed.Add(new FailedScenario(id, instilledFile, "no selections for this instilled scenario"));
        var learned = Fit(inputs.InstilledChoices, instilledFile, options, failed);
        var native = inputs.LatentChoices is { } latent ? Fit(latent, PaperLayout.LatentSelections(model), options, failed) : [];
        var learnedBase = inputs.BaseChoices is { } own ? Fit(own, PaperLayout.BaseSelections(model), options, failed) : [];
        failed = failed.OrderBy(f => f.SelectionsFile, StringComparer.Ordinal).ThenBy(f => f.Scenario).ToList();

        var learnedById = ReportAccuracy.StandardiseLearned(learned);
        var nativeById = ReportAccuracy.StandardiseLearned(native);
        var reports = Measures(inputs, c => c is ReportCondition.NativeBefore or ReportCondition.NativeAfter ? nativeById : learnedById, notes);
        var targetById = targets is null ? null : ReportAccuracy.Standardise(targets.Select(t => (t.Key, t.Value)).ToList());
        var versusTarget = targetById is null ? null : Measures(inputs, _ => targetById, null);
        ConditionStatistics? baseOwn = inputs.BaseChoices is not null && inputs.Reports.TryGetValue(ReportCondition.Base, out var baseReports)
            ? ConditionStatisticsOf(inputs.ReportFileNames[ReportCondition.Base], baseReports, ReportAccuracy.StandardiseLearned(learnedBase), notes)
            : null;

        return new ModelAnalysis(
            model,
            targets is null ? null : Instillation(targets, learned),
            reports,
            ReportAccuracy.Difference(reports.Instilled, reports.ItrainedHeldOut),
            ReportAccuracy.Difference(reports.NativeBefore, reports.NativeAfter),
            learned, native, failed)
        {
            PairedItrainingEffect = PairedBootstrap.Difference(
                Groups(reports.Instilled), Groups(reports.ItrainedFirstHalf, reports.ItrainedSecondHalf),
                SeededStream.Derive(options.Seed, $"{model}:paired_bootstrap:itraining")),
            PairedNativeEffect = PairedBootstrap.Difference(
                Groups(reports.NativeBefore), Groups(reports.NativeAfter),
                SeededStream.Derive(options.Seed, $"{model}:paired_bootstrap:native")),
            PairedInstilledVsBase = PairedBootstrap.Difference(
                Groups(reports.Base), Groups(reports.Instilled),
                SeededStream.Derive(options.Seed, $"{model}:paired_bootstrap:instilled_vs_base")),
            BaseOwn = baseOwn,
            LearnedBase = learnedBase,
            VersusTarget = versusTarget,
            Published = new[]
                {
                    PublishedRegression.Compare(Path.Combine(runDir, PaperLayout.RegressionResults(model)), learned, scenarios, log),
                    PublishedRegression.Compare(Path.Combine(runDir, PaperLayout.LatentRegressionResults(model)), native, scenarios, log),
                }.OfType<PublishedAgreement>().ToList(),
        };
    }

    private static List<LearnedWeights> Fit(SortedDictionary<int, ChoiceData> choices, string file, AnalysisOptions options, List<FailedScenario> failed)
    {
        var (learned, fitFailed) = LearnedWeightsFitter.FitAll(choices, file, options);
        failed.AddRange(fitFailed);
        return learned;
    }

    /// <summary>The seven report measures against the weights <paramref name="weightsFor"/> gives each condition.
    /// With <paramref name="notes"/> null, reports on scenarios without weights are left out silently (target
    /// weights exist only for instilled scenarios).</summary>
    private static ReportStatistics Measures(ModelInputs inputs, Func<ReportCondition, Dictionary<int, StandardisedWeights>> weightsFor, List<string>? notes)
    {
        ConditionStatistics? Condition(ReportCondition c)
        {
            if (!inputs.Reports.TryGetValue(c, out var reports)) return null;
            var weights = weightsFor(c);
            if (notes is null && !reports.Scenarios.Overlaps(weights.Keys)) return null;
            return ConditionStatisticsOf(inputs.ReportFileNames[c], reports, weights, notes);
        }
        var first = Condition(ReportCondition.ItrainedFirstHalf);
        var second = Condition(ReportCondition.ItrainedSecondHalf);
        return new ReportStatistics(
            Base: Condition(ReportCondition.Base),
            Instilled: Condition(ReportCondition.Instilled),
            ItrainedFirstHalf: first,
            ItrainedSecondHalf: second,
            ItrainedHeldOut: PoolHalves(first, second),
            NativeBefore: Condition(ReportCondition.NativeBefore),
            NativeAfter: Condition(ReportCondition.NativeAfter));
    }

    private static ConditionStatistics ConditionStatisticsOf(string file, ReportSet reports,
        Dictionary<int, StandardisedWeights> weights, List<string>? notes)
    {
        var without = new List<int>();
        var pairs = ReportAccuracy.Pair(reports, weights, without);
        if (notes is not null && without.Count > 0)
            notes.Add($"{file}: reports on {without.Count} scenario(s) without learned weights left out " +
                      $"(failed fit or no selections); e.g. scenario {string.Join(", ", without.Take(5))}");
        if (notes is not null && reports.MeanReports.Count == 0)
            notes.Add($"{file}: no valid reports ({reports.BadReports} bad, {reports.ExcludedRows} excluded rows)");
        return ReportAccuracy.Compute(pairs, reports.BadReports, reports.ExcludedRows);
    }

    private static IReadOnlyList<IReadOnlyList<ReportPair>>? Groups(params ConditionStatistics?[] conditions)
    {
        var present = conditions.OfType<ConditionStatistics>().ToList();
        return present.Count == 0 ? null : present.Select(c => c.Pairs).ToList();
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

    private static InstillationStatistics Instillation(Dictionary<int, double[]> targets, List<LearnedWeights> learned)
    {
        var pairs = new List<WeightPair>();
        foreach (var w in learned)
            if (targets.TryGetValue(w.Scenario, out var target))
                for (int i = 0; i < 5; i++) pairs.Add(new WeightPair(w.Scenario, i + 1, target[i], w.Weights[i]));
        // z-scoring both sides (as the paper does) leaves Pearson's r unchanged, so r is computed directly.
        double r = Descriptive.Pearson(pairs.Select(p => p.Target).ToArray(), pairs.Select(p => p.Learned).ToArray());
        return new InstillationStatistics(r, pairs.Count / 5, pairs);
    }

    /// <summary>Keyed as scenarios.csv keys them (names in the published layout), so the authors' scripts join on it.</summary>
    private static void WriteRegressionResults(string path, IReadOnlyList<LearnedWeights> learned, ScenarioKeys keys)
    {
        var csv = new CsvWriter(PaperLayout.RegressionColumns);
        foreach (var w in learned)
        {
            csv.Field(keys.Key(w.Scenario));
            foreach (var v in w.Weights) csv.Field(v);
        }
        csv.WriteTo(path);
    }
}
