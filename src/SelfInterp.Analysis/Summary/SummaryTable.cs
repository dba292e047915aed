using System.Globalization;
using System.Text;

namespace SelfInterp.Analysis.Summary;

/// <summary>The summary as a plain-text table, one block per base model, for the terminal. Numbers and differences
/// carry one minus sign (−, U+2212), as in report.html and report.md.</summary>
public static class SummaryTable
{
    public static string Render(AnalysisSummary summary)
    {
        var text = new StringBuilder();
        foreach (var m in summary.Models)
        {
            text.AppendLine($"base model: {m.BaseModel}");
            text.AppendLine(m.Instillation is { } inst
                ? $"  instillation: learned vs target r = {F(inst.R)} over {inst.Scenarios} scenarios"
                : "  instillation: no instilled_weights.csv");
            text.AppendLine($"  {"reports",-22}{"slope",8}  {"95% interval",-18}{"r",7}{"n",6}{"bad",6}{"excl.",7}   vs target weights");
            var versusTarget = m.VersusTarget?.Named().ToDictionary(n => n.Key, n => n.Statistics);
            foreach (var (key, c) in m.Reports.Named())
                AppendCondition(text, key, c, versusTarget?.GetValueOrDefault(key));
            if (m.BaseOwn is { } own) AppendCondition(text, "base_vs_own_choices", own, null);
            AppendDifference(text, "instilled − base, paired", m.PairedInstilledVsBase);
            AppendDifference(text, "itraining effect (held-out − instilled), paired", m.PairedItrainingEffect);
            AppendDifference(text, "itraining effect, paper's interaction model", m.ItrainingEffect);
            AppendDifference(text, "native effect (after − before), paired", m.PairedNativeEffect);
            AppendDifference(text, "native effect, paper's interaction model", m.NativeEffect);
            foreach (var p in m.Published)
                text.AppendLine($"  learned weights vs published {p.File}: r = {F(p.R)} over {p.Scenarios} scenarios");
            text.AppendLine($"  learned weights: {m.LearnedInstilled.Count} instilled, {m.LearnedNative.Count} native scenarios; {m.FailedScenarios.Count} failed");
            foreach (var f in m.FailedScenarios.Take(10))
                text.AppendLine($"    failed: {f.SelectionsFile} scenario {f.Scenario}: {f.Reason}");
            if (m.FailedScenarios.Count > 10) text.AppendLine($"    ... and {m.FailedScenarios.Count - 10} more (see summary.json)");
        }
        foreach (var w in summary.Warnings) text.AppendLine($"warning: {w}");
        text.AppendLine($"analysis time: {summary.ElapsedSeconds.ToString("F3", CultureInfo.InvariantCulture)} s");
        return text.ToString();
    }

    private static void AppendCondition(StringBuilder text, string key, ConditionStatistics? c, ConditionStatistics? target)
    {
        if (c is null) { text.AppendLine($"  {key,-22}{"(no file)",8}"); return; }
        if (c.N == 0) { text.AppendLine($"  {key,-22}{"no valid reports",8}{"",34}{c.N,6}{c.BadReports,6}{c.ExcludedRows,7}"); return; }
        var vsTarget = target is { N: > 0 } t ? $"   {F(t.Slope)} [{F(t.Low)}, {F(t.High)}]" : "";
        text.AppendLine($"  {key,-22}{F(c.Slope),8}  {"[" + F(c.Low) + ", " + F(c.High) + "]",-18}{F(c.R),7}{c.N,6}{c.BadReports,6}{c.ExcludedRows,7}{vsTarget}");
    }

    private static void AppendDifference(StringBuilder text, string label, SlopeDifference? d)
    {
        if (d is null) text.AppendLine($"  {label}: (not available)");
        else text.AppendLine($"  {label}: {F(d.Difference)} [{F(d.Low)}, {F(d.High)}]");
    }

    /// <summary>Three decimals with the reports' minus sign (U+2212), so the table and the reports read alike.</summary>
    private static string F(double v) => double.IsFinite(v) ? Report.ReportText.F3(v) : "n/a";
}
