using System.Text;
using SelfInterp.Analysis.Report;

namespace SelfInterp.WhiteBox;

/// <summary>
/// What `probe`, `intervene` and `wrapper` print when they finish: the few numbers to read first, as a plain table
/// (the full rows are in analysis/*.csv and whitebox.html). Numbers as the reports show them (one minus sign).
/// </summary>
public static class WhiteBoxHeadline
{
    /// <summary>Per model, site and target, the layer whose probe predicts best, with r and its interval.</summary>
    public static string Probes(IEnumerable<ProbeRow> rows)
    {
        var t = new StringBuilder("probes: the best layer per model, site and target (r [95% interval], out-of-fold)\n");
        var best = rows.Where(r => double.IsFinite(r.R)).GroupBy(r => (r.Model, r.Site, r.Target)).Select(g => g.MaxBy(r => r.R)!).ToList();
        var text = Columns(best, ("model", r => r.Model), ("site", r => r.Site), ("target", r => r.Target), ("best layer", r => r.Layer));
        bool nulls = best.Any(r => r.Shuffled.Draws > 0);
        t.AppendLine($"  {text.Header}{"r",7}  {"interval",-18}" + (nulls ? "shuffled null 95th, p" : ""));
        for (int i = 0; i < best.Count; i++)
        {
            var n = best[i].Shuffled;
            t.AppendLine($"  {text.Rows[i]}{ReportText.F3(best[i].R),7}  {ReportText.Interval(best[i].RLow, best[i].RHigh),-18}" +
                         (n.Draws > 0 ? $"{ReportText.F3(n.P95)}, p {n.P.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}" : "").TrimEnd());
        }
        return t.ToString();
    }

    /// <summary>Per test and model, the setting that moved the choices most, with the reports' change beside it.</summary>
    public static string Interventions(IEnumerable<InterventionRow> rows)
    {
        var t = new StringBuilder("interventions: the largest change per test and model, intervened − control (95% interval)\n");
        var best = rows.GroupBy(r => (r.Test, r.Model))
            .Select(g => g.MaxBy(r => double.IsFinite(r.Choice) ? Math.Abs(r.Choice) : double.IsFinite(r.Report) ? Math.Abs(r.Report) : -1)!).ToList();
        var text = Columns(best, ("test", r => r.Test), ("model", r => r.Model), ("layer", r => r.Layer), ("setting", r => r.Setting));
        t.AppendLine($"  {text.Header}{"choice",8}  {"interval",-18}{"report",8}  interval");
        for (int i = 0; i < best.Count; i++)
        {
            var b = best[i];
            t.AppendLine($"  {text.Rows[i]}{ReportText.F3(b.Choice),8}  {ReportText.Interval(b.ChoiceLow, b.ChoiceHigh),-18}" +
                         $"{ReportText.F3(b.Report),8}  {ReportText.Interval(b.ReportLow, b.ReportHigh)}");
        }
        return t.ToString();
    }

    /// <summary>Every reverted share and measure: how far the base preferences revive, and whether reports follow.</summary>
    public static string Wrapper(IEnumerable<WrapperRow> rows)
    {
        var t = new StringBuilder("wrapper test: parameters reverted to the base model's, r [95% interval]\n");
        t.AppendLine($"  {"reverted",9}{"parameters",12}  {"measure",-34}{"r",7}  interval");
        foreach (var r in rows.OrderBy(r => r.Reverted).ThenBy(r => r.Measure, StringComparer.Ordinal))
            t.AppendLine($"  {(r.Reverted * 100).ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture) + "%",9}{r.Parameters,12}  {r.Measure,-34}{ReportText.F3(r.R),7}  {ReportText.Interval(r.Low, r.High)}");
        return t.ToString();
    }

    /// <summary>Left-aligned text columns, each as wide as its longest entry plus two spaces, so a long hook name
    /// (blocks.1.hook_resid_post) never runs into the next column.</summary>
    static (string Header, string[] Rows) Columns<T>(IReadOnlyList<T> rows, params (string Name, Func<T, string> Value)[] columns)
    {
        var widths = columns.Select(c => rows.Select(r => c.Value(r).Length).Append(c.Name.Length).Max() + 2).ToArray();
        string Line(Func<int, string> cell) => string.Concat(columns.Select((_, k) => cell(k).PadRight(widths[k])));
        return (Line(k => columns[k].Name), rows.Select(r => Line(k => columns[k].Value(r))).ToArray());
    }
}
