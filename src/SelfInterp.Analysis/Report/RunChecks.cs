using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Pipeline;

namespace SelfInterp.Analysis.Report;

/// <summary>What the checks found about one base model: its warnings as the report shows them under it, and the bad raw replies.</summary>
public sealed record ModelChecks(string Model, IReadOnlyList<string> Warnings, IReadOnlyList<BadReplySample>? BadReplies)
{
    /// <summary>The warnings as summary.json lists them, among every model's: each naming its model.</summary>
    public IEnumerable<string> Summarised => Warnings.Select(w => $"{Model}: {w}");
}

/// <summary>
/// The checks of a run directory beyond the statistics' own row exclusions: an unreadable run.json or data file,
/// missing files, conditions without valid reports or with too few pairs, failed fits, and raw replies that are
/// malformed or disagree with the report files. Once only the report showed these; now <see cref="Analyzer"/> runs
/// them too, so every warning lands in summary.json (each model's named by its model), and the report runs them
/// again from the same files.
/// </summary>
public sealed record RunChecks(RunFacts Run, ScenarioNames Names, IReadOnlyList<string> RunWarnings, IReadOnlyList<ModelChecks> Models)
{
    /// <summary>Fewer scenario × attribute pairs than this (two scenarios) is too little to judge a slope by.</summary>
    public const int FewPairs = 10;

    /// <summary>Every warning of the checks, as summary.json lists them.</summary>
    public IEnumerable<string> Summarised => RunWarnings.Concat(Models.SelectMany(m => m.Summarised));

    public static RunChecks Of(string runDir, AnalysisSummary summary)
    {
        var scenariosFile = Path.Combine(runDir, summary.ScenariosFile ?? PaperLayout.ScenariosFile);
        var names = ScenarioNames.Read(scenariosFile);
        var inputs = new[] { scenariosFile, Path.Combine(runDir, summary.WeightsFile ?? PaperLayout.InstilledWeightsFile) };
        var run = RunFacts.Read(runDir, summary.Models.Select(m => m.BaseModel), names, inputs);
        var warnings = new List<string>();
        if (run.ManifestProblem is { } problem) warnings.Add(problem);
        foreach (var f in run.Files)
            if (f.Problem is { } p) warnings.Add(p);
        return new RunChecks(run, names, warnings, summary.Models.Select(m => Model(runDir, run, m, names)).ToList());
    }

    private static ModelChecks Model(string runDir, RunFacts run, ModelAnalysis m, ScenarioNames names)
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
                    warnings.Add($"{sample.RepliesFile}: {sample.Bad} replies are bad reports (unparseable or off the scale) but the report file has {s.BadReports} bad rows " +
                                 "(were the replies or the file changed after the run?)");
                if (sample.Uncheckable > 0)
                    warnings.Add($"{sample.RepliesFile}: {sample.Uncheckable} replies could not be checked (no matching report row or scenario)");
            }
        }
        return new ModelChecks(m.BaseModel, warnings, bad);
    }
}
