using SelfInterp.Analysis.Summary;
using SelfInterp.Core.IO;

namespace SelfInterp.Analysis.Report;

/// <summary>Writes DIR/report.html and DIR/report.md for an analysed run directory (ours or the authors' layout), or
/// into <c>outputDirectory</c> when the analysis went there.</summary>
public static class RunReport
{
    public const string HtmlFile = "report.html", MarkdownFile = "report.md";

    public static (string Html, string Markdown) Write(string runDir, AnalysisSummary summary, IReadOnlyList<ReportSection>? sections = null,
        string? outputDirectory = null)
    {
        var content = ReportContent.Build(runDir, summary, sections);
        var html = Path.Combine(outputDirectory ?? runDir, HtmlFile);
        var markdown = Path.Combine(outputDirectory ?? runDir, MarkdownFile);
        AtomicFile.WriteAllText(html, HtmlReport.Render(content));
        AtomicFile.WriteAllText(markdown, MarkdownReport.Render(content));
        return (html, markdown);
    }
}
