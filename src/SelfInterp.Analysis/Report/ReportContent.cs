using SelfInterp.Analysis.Summary;

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
    /// <summary>Each model's warnings are shown under it; the run's section has the rest of summary.json's, and the
    /// checks' own when the summary was made without them.</summary>
    public static ReportContent Build(string runDir, AnalysisSummary summary, IReadOnlyList<ReportSection>? sections = null)
    {
        var checks = RunChecks.Of(runDir, summary);
        var models = summary.Models.Select((m, i) =>
        {
            var id = $"m{i + 1}";
            var mine = checks.Models[i];
            return new ModelReport(m, id, ReportFigures.For(m, id, checks.Names), mine.BadReplies, mine.Warnings);
        }).ToList();
        var underAModel = checks.Models.SelectMany(m => m.Summarised).ToHashSet(StringComparer.Ordinal);
        var warnings = checks.RunWarnings.Concat(summary.Warnings).Distinct(StringComparer.Ordinal).Where(w => !underAModel.Contains(w)).ToList();
        return new ReportContent(checks.Run, models, warnings, sections ?? []);
    }
}
