using System.Text;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Report;

/// <summary>
/// report.md: the report's numbers as GitHub-flavoured Markdown tables, for a terminal or a pull request, with the
/// figures of report.html listed by caption. Text from the data is escaped so it cannot break a table or turn
/// into markup; raw replies go in fenced blocks longer than any backtick run they contain.
/// </summary>
public static class MarkdownReport
{
    public static string Render(ReportContent content)
    {
        var md = new StringBuilder();
        md.Append("# SelfInterp report: ").AppendLine(Escape(content.Run.Directory)).AppendLine();
        var (banner, run) = ReportText.Opening(content.Run.Manifest);
        if (banner is not null) md.AppendLine($"> **{Escape(banner)}**").AppendLine();
        if (run is not null) md.AppendLine(Escape(run)).AppendLine();
        md.AppendLine($"Base models: {string.Join(", ", content.Models.Select(m => Code(m.Analysis.BaseModel)))}. " +
                      $"Made by selfinterp {VersionInfo.Current}; the figures are in `report.html` beside this file.").AppendLine();

        foreach (var m in content.Models)
        {
            md.AppendLine($"## Base model {Code(m.Analysis.BaseModel)}").AppendLine();
            Table(md, ReportText.MeasureHeader, ReportText.MeasureRows(m.Analysis));
            md.AppendLine(Escape(ReportText.LearnedNote(m.Analysis))).AppendLine();

            md.AppendLine("### Figures (in report.html)").AppendLine();
            int n = 1;
            foreach (var f in m.Figures)
                md.AppendLine($"{n++}. **{Escape(f.Heading)}** (`#{f.Id}`, {f.Marks} {(f.Kind == "intervals" ? "bars" : "points")}): {Escape(f.Caption)}");
            md.AppendLine();

            md.AppendLine("### Bad reports").AppendLine();
            if (m.BadReplies is { } bad)
            {
                Table(md, ReportText.BadHeader, ReportText.BadRows(m));
                foreach (var sample in bad)
                    foreach (var e in sample.Examples)
                    {
                        md.AppendLine($"- {Escape(ConditionInfo.Of(sample.ConditionKey).Label)}, {Code(sample.RepliesFile)} reply {e.Index}, " +
                                      $"scenario {e.Scenario}: {Escape(e.Problem)}").AppendLine();
                        Fenced(md, e.Text, "  ");
                    }
            }
            else
            {
                md.AppendLine("No raw replies (`replies/*.jsonl`) for this model; counts from the report files:").AppendLine();
                Table(md, ["measure", "bad reports"], ReportText.BadCountRows(m.Analysis));
            }
            Warnings(md, "### Warnings", m.Warnings);
        }
        foreach (var section in content.Sections)
        {
            md.AppendLine($"## {Escape(section.Heading)}").AppendLine().AppendLine(Escape(section.Text)).AppendLine();
            Table(md, section.Header, section.Rows);
        }
        // Results first; what was run and its files after.
        md.AppendLine("## What was run").AppendLine();
        if (content.Run.Manifest is { } manifest)
        {
            Table(md, ["setting", "value"], ReportText.ConfigRows(manifest));
            md.AppendLine("Seeds:").AppendLine();
            Table(md, ["stream", "seed"], ReportText.SeedRows(manifest.Config.Seeds));
            Table(md, ReportText.ModelHeader, ReportText.ModelRows(manifest));
            Table(md, ReportText.StageHeader, ReportText.StageRows(manifest));
        }
        else
        {
            md.AppendLine(content.Run.ManifestProblem is null
                ? "No `run.json`: the authors' published data layout (or a run copied without its manifest). Backend, seeds, sizes and timings are unknown; the data files show:"
                : "`run.json` could not be read (see the warnings); the data files show:").AppendLine();
        }
        Table(md, ReportText.FileHeader, ReportText.FileRows(content.Run));

        Warnings(md, "## Warnings for the whole run", content.Warnings);
        return md.ToString();
    }

    private static void Warnings(StringBuilder md, string heading, IReadOnlyList<string> warnings)
    {
        md.AppendLine(heading).AppendLine();
        if (warnings.Count == 0) md.AppendLine("None.");
        foreach (var w in warnings) md.AppendLine("- " + Escape(w));
        md.AppendLine();
    }

    private static void Table(StringBuilder md, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        md.AppendLine("| " + string.Join(" | ", header.Select(Escape)) + " |");
        md.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        md.AppendLine();
    }

    /// <summary>Text that stays text in a table cell or a list item: no pipes, no HTML, no emphasis or code, one line.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\\' or '|' or '`' or '*': sb.Append('\\').Append(c); break;
                // Inside a word (snake_case names) an underscore never starts emphasis; escaping it there is only noise.
                case '_' when !(i > 0 && char.IsLetterOrDigit(text[i - 1]) && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])):
                    sb.Append('\\').Append(c); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\r' or '\n': sb.Append(' '); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A code span for a name or id, with a fence longer than its own backtick runs, and pipes escaped for tables.</summary>
    public static string Code(string text)
    {
        var fence = new string('`', LongestRun(text, '`') + 1);
        var body = text.Replace('\n', ' ').Replace('\r', ' ').Replace("|", "\\|");
        return body.StartsWith('`') || body.EndsWith('`') ? $"{fence} {body} {fence}" : $"{fence}{body}{fence}";
    }

    private static void Fenced(StringBuilder md, string text, string indent)
    {
        var fence = new string('`', Math.Max(3, LongestRun(text, '`') + 1));
        md.Append(indent).AppendLine(fence + "text");
        foreach (var line in text.Replace("\r\n", "\n").Split('\n')) md.Append(indent).AppendLine(line);
        md.Append(indent).AppendLine(fence).AppendLine();
    }

    private static int LongestRun(string text, char c)
    {
        int best = 0, run = 0;
        foreach (char x in text) { run = x == c ? run + 1 : 0; best = Math.Max(best, run); }
        return best;
    }
}
