namespace SelfInterp.Analysis.Report;

/// <summary>
/// A section an experiment adds to the report after the paper's: a heading, a paragraph saying how to read it,
/// and one table. Rendered the same in report.html and report.md.
/// </summary>
public sealed record ReportSection(string Id, string Heading, string Text, IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows);
