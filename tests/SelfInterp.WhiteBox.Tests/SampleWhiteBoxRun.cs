using SelfInterp.Analysis.Layout;

namespace SelfInterp.WhiteBox.Tests;

/// <summary>A run directory holding every white-box CSV (probes at each hook point of an organism with the given
/// number of layers, interventions at the given strengths, the pruning curve and the revival curves), made up rather
/// than measured, so the report can be checked in milliseconds. Shared with the browser tests.</summary>
public static class SampleWhiteBoxRun
{
    static readonly string[] Models = ["base", "instilled", "itrained"];

    /// <summary>Writes the CSVs into a fresh run directory and returns the path of its whitebox.html.</summary>
    public static string Write(int layers, double[] steer, double[] scales)
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("whitebox-report").FullName, "run");
        string analysis = Path.Combine(dir, PaperLayout.AnalysisDirectory);
        Directory.CreateDirectory(analysis);
        var probes = new List<ProbeRow>();
        foreach (var model in Models)
        {
            foreach (var target in new[] { "learned_weight", "instilled_target" })
            {
                foreach (var point in ProbeStudy.Points(layers))
                    foreach (var site in new[] { "decision_name", "report_name" })
                        probes.Add(new ProbeRow(model, point.Name, site, target, 20, 0.5, 0.4, 0.6, 1, 0.9, 1.1));
                probes.Add(new ProbeRow(model, "reply", "report", target, 20, 0.2, 0.1, 0.3, 1, 0.9, 1.1));
            }
        }
        ProbeStudy.Write(Path.Combine(analysis, ProbeStudy.FileName), probes);
        var interventions = new List<InterventionRow>();
        foreach (var (model, layer) in new[] { ("instilled", "hook_embed"), ("itrained", "blocks.1.hook_resid_mid") })
        {
            foreach (var p in steer)
            {
                interventions.Add(new InterventionRow("steering", model, layer, $"{p:+0;-0}", "mean_change", 20, p, p - 10, p + 10, p / 2, p / 2 - 10, p / 2 + 10));
                interventions.Add(new InterventionRow("report_path_only", model, layer, $"{p:+0;-0}", "mean_change", 20, 0, 0, 0, p / 2, p / 2 - 10, p / 2 + 10));
            }
            interventions.Add(new InterventionRow("steering", model, layer, "all", "dose_slope", 20 * steer.Length, 1, 0.9, 1.1, 0.5, 0.3, 0.7));
            foreach (var statistic in new[] { "grounding_ratio", "report_on_choice_pooled", "report_on_choice_between_settings", "report_on_choice_within_setting" })
                interventions.Add(new InterventionRow("steering", model, layer, "all", statistic, 20 * steer.Length, double.NaN, double.NaN, double.NaN, 0.5, 0.3, 0.7));
            foreach (var s in scales)
                interventions.Add(new InterventionRow("decision_path_only", model, "blocks.1.hook_resid_post", $"x{s}", "mean_change", 20, 10 * (s - 1), 10 * (s - 1) - 5, 10 * (s - 1) + 5, 0, 0, 0));
        }
        InterventionStudy.Write(Path.Combine(analysis, InterventionStudy.FileName), interventions);
        WrapperStudy.Write(Path.Combine(analysis, WrapperStudy.FileName), new[] { 0.0, 0.5, 1 }.SelectMany(share =>
            new[] { "choices_vs_instilled_target", "choices_vs_base_choices", "reports_vs_choices" }.Select(m => new WrapperRow(share, (int)(100 * share), m, 20, share, share - 0.1, share + 0.1))));
        ReverseStudy.Write(Path.Combine(analysis, ReverseStudy.FileName), new[] { "choices", "reports" }.SelectMany(direction =>
            new[] { "changed", "control" }.SelectMany(model => new[] { 0.0, 10, 20 }.Select(step => new ReverseRow(direction, model, "r_with_original", step, double.NaN, 20, step / 40, step / 40 - 0.1, step / 40 + 0.1)))));
        return WhiteBoxReport.Write(dir).Html;
    }
}
