using SelfInterp.Analysis.Summary;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Report;

/// <summary>Everything the report shows about one base model.</summary>
public sealed record ModelReport(
    ModelAnalysis Analysis, string Id, IReadOnlyList<Figure> Figures,
    IReadOnlyList<BadReplySample>? BadReplies, IReadOnlyList<string> Warnings);

/// <summary>
/// The report's content, gathered once and rendered twice (HTML and Markdown) so both show the same numbers:
/// what was run, per base model the figures, bad replies and warnings, the experiment's own sections, and the
/// run's own warnings.
/// </summary>
public sealed record ReportContent(RunFacts Run, IReadOnlyList<ModelReport> Models, IReadOnlyList<string> Warnings, IReadOnlyList<ReportSection> Sections)
{
    /// <summary>Fewer scenario × attribute pairs than this (two scenarios) is too little to judge a slope by.</summary>
    public const int FewPairs = 10;

    public static ReportContent Build(string runDir, AnalysisSummary summary, IReadOnlyList<ReportSection>? sections = null)
    {
        var scenariosFile = Path.Combine(runDir, summary.ScenariosFile ?? PaperLayout.ScenariosFile);
        var names = ScenarioNames.Read(scenariosFile);
        var inputs = new[] { scenariosFile, Path.Combine(runDir, summary.WeightsFile ?? PaperLayout.InstilledWeightsFile) };
        var run = RunFacts.Read(runDir, summary.Models.Select(m => m.BaseModel), names, inputs);
        var warnings = new List<string>();
        if (run.ManifestProblem is { } problem) warnings.Add(problem);
        warnings.AddRange(summary.Warnings);
        foreach (var f in run.Files)
            if (f.Problem is { } p) warnings.Add(p);

        var models = summary.Models.Select((m, i) => Model(runDir, run, m, $"m{i + 1}", names)).ToList();
        return new ReportContent(run, models, warnings, sections ?? []);
    }

    private static ModelReport Model(string runDir, RunFacts run, ModelAnalysis m, string id, ScenarioNames names)
    {
        var warnings = new List<string>();
        foreach (var f in m.FailedScenarios.Take(10))
            warnings.Add($"regression failed: {f.SelectionsFile} scenario {f.Scenario}: {f.Reason}");
        if (m.FailedScenarios.Count > 10) warnings.Add($"regression failed on {m.FailedScenarios.Count - 10} more scenarios (see analysis/summary.json)");
        if (!File.Exists(Path.Combine(runDir, PaperLayout.LatentSelections(m.BaseModel))))
            warnings.Add($"missing file {PaperLayout.LatentSelections(m.BaseModel)}: no native weights");

        var byKey = m.Reports.Named().ToDictionary(n => n.Key, n => n.Statistics);
        foreach (var c in ConditionInfo.All)
        {
            var s = byKey[c.Key];
            if (s is null)
            {
                if (c.File is { } file) warnings.Add($"missing file {ReportFiles.Pattern(m.BaseModel, file)}: no '{c.Label}' measure");
                continue;
            }
            if (s.N == 0)
                warnings.Add($"{c.Label}: no valid reports ({s.BadReports} bad reports, {s.ExcludedRows} excluded rows): no slope");
            else if (!double.IsFinite(s.Slope) || !double.IsFinite(s.Low) || !double.IsFinite(s.High))
                warnings.Add($"{c.Label}: too few data for a slope and interval (n = {s.N} pairs)");
            else if (s.N < FewPairs)
                warnings.Add($"{c.Label}: only {s.N} scenario × attribute pairs; the slope says little");
        }

        List<BadReplySample>? bad = null;
        bool ours = run.Manifest is { } manifest && Core.IO.FileNames.Safe(manifest.Config.BaseModel) == m.BaseModel;
        if (ours && Directory.Exists(Path.Combine(runDir, Elicitation.RepliesDirectory)))
        {
            bad = BadReplies.Read(runDir, m.BaseModel, names, warnings);
            foreach (var sample in bad)
            {
                var c = ConditionInfo.Of(sample.ConditionKey);
                if (byKey[c.Key] is { } s && s.BadReports != sample.Bad)
                    warnings.Add($"{sample.RepliesFile}: {sample.Bad} replies fail the report parser but the report file has {s.BadReports} bad rows " +
                                 "(were the replies or the file changed after the run?)");
                if (sample.Uncheckable > 0)
                    warnings.Add($"{sample.RepliesFile}: {sample.Uncheckable} replies could not be checked (no matching report row or scenario)");
            }
        }
        return new ModelReport(m, id, ReportFigures.For(m, id, names), bad, warnings);
    }
}
