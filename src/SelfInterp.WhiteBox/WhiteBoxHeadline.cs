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
        t.AppendLine($"  {"model",-16}{"site",-18}{"target",-18}{"best layer",-22}{"r",7}  interval");
        foreach (var g in rows.Where(r => double.IsFinite(r.R)).GroupBy(r => (r.Model, r.Site, r.Target)))
        {
            var best = g.MaxBy(r => r.R)!;
            t.AppendLine($"  {best.Model,-16}{best.Site,-18}{best.Target,-18}{best.Layer,-22}{ReportText.F3(best.R),7}  {ReportText.Interval(best.RLow, best.RHigh)}");
        }
        return t.ToString();
    }

    /// <summary>Per test and model, the setting that moved the choices most, with the reports' change beside it.</summary>
    public static string Interventions(IEnumerable<InterventionRow> rows)
    {
        var t = new StringBuilder("interventions: the largest change per test and model, intervened − control (95% interval)\n");
        t.AppendLine($"  {"test",-20}{"model",-16}{"layer",-14}{"setting",-12}{"choice",8}  {"interval",-18}{"report",8}  interval");
        foreach (var g in rows.GroupBy(r => (r.Test, r.Model)))
        {
            var best = g.MaxBy(r => double.IsFinite(r.Choice) ? Math.Abs(r.Choice) : double.IsFinite(r.Report) ? Math.Abs(r.Report) : -1)!;
            t.AppendLine($"  {best.Test,-20}{best.Model,-16}{best.Layer,-14}{best.Setting,-12}{ReportText.F3(best.Choice),8}  {ReportText.Interval(best.ChoiceLow, best.ChoiceHigh),-18}" +
                         $"{ReportText.F3(best.Report),8}  {ReportText.Interval(best.ReportLow, best.ReportHigh)}");
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
}
