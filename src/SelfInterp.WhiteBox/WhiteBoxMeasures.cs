using SelfInterp.Engine.HookPoints;
using static SelfInterp.Experiments.OrganismEvaluation.EvaluationRow;

namespace SelfInterp.WhiteBox;

/// <summary>
/// The lab's key figures on one run (held out, with the untrained-body control), as one row of named numbers in a
/// fixed column order, so the runs of an evaluation line up and the recipe-level machinery of the evaluation summarises
/// them. NaN where the run has no such figure (a model none of whose reports parse has no read-out). Columns:
/// <list type="bullet">
/// <item><c>probe_{model}_{hook}_{learned|target}_r</c> (+ <c>_r_low</c>, <c>_r_high</c>): the decision-name probe of the
/// model's learned weights or of the instilled targets; <c>_null_p95</c> the larger of its two nulls' 95th percentiles
/// (shuffled labels, scenario permutation) and <c>_p</c> the larger of their p-values, so "above its null" means above
/// both. Hooks: <c>embed</c> (hook_embed, where embedding instillation writes the code) and <c>last</c> (the last block's
/// resid_post, what the head reads).</item>
/// <item><c>probe_trained_minus_untrained_last_learned_r</c>: the instilled model's probe r at the last hook less the
/// untrained body's (what the trained body adds to what the embeddings carry; at <c>embed</c> it is 0 by construction).</item>
/// <item><c>report_{model}_{learned|target}_r</c>: the model's own reports scored as the probes are.</item>
/// <item><c>readout_{model}_{hook}_cosine</c>: the reports' read-out direction against the decision-name probe's;
/// <c>_null_p95</c>, <c>_p</c> over its random-direction and shuffled-report nulls (of |cosine|, the larger of the two);
/// <c>_reports_r</c> how well the representation predicts the reports.</item>
/// <item><c>steer_{model}_{choice_dose_slope|report_dose_slope|grounding_ratio|pooled_slope}</c>: steering's
/// dose-response (<see cref="DoseResponse"/>), at the hook the lab picks per model.</item>
/// <item><c>…_itrained_held_out_…</c>: the mean of the <c>itrained_first</c> and <c>itrained_last</c> figures (each on
/// the half it never saw), for every point figure; NaN unless both halves have it.</item>
/// </list>
/// </summary>
public static class WhiteBoxMeasures
{
    public const string First = "itrained_first", Last = "itrained_last", HeldOut = "itrained_held_out";
    public const string SecondsColumn = "lab_seconds", CpuSecondsColumn = "lab_cpu_seconds";
    public static readonly string[] ProbedModels = ["base", "instilled", First, Last, UntrainedBody.ModelName];
    public static readonly string[] ReportingModels = ["base", "instilled", First, Last];
    public static readonly string[] SteeredModels = ["instilled", First, Last];
    static readonly (string Label, string Target)[] Targets = [("learned", "learned_weight"), ("target", "instilled_target")];

    /// <summary>The measures the recipe level summarises: point figures and null quantiles, not interval ends,
    /// p-values or times.</summary>
    public static bool IsSummarised(string column) =>
        !column.EndsWith("_low", StringComparison.Ordinal) && !column.EndsWith("_high", StringComparison.Ordinal)
        && !column.EndsWith("_p", StringComparison.Ordinal) && column is not (SecondsColumn or CpuSecondsColumn);

    public static List<(string Column, double Value)> From(int layers, IReadOnlyList<ProbeRow> probes, IReadOnlyList<ReadoutRow> readout,
        IReadOnlyList<InterventionRow> interventions, double seconds, double cpuSeconds)
    {
        var m = new List<(string Column, double Value)>();
        (string Label, string Layer)[] hooks = [("embed", HookPoint.Embed.Name), ("last", HookPoint.ResidPost(layers - 1).Name)];
        foreach (var model in ProbedModels)
            foreach (var (hook, layer) in hooks)
                foreach (var (label, target) in Targets)
                {
                    var p = probes.FirstOrDefault(r => r.Model == model && r.Layer == layer && r.Site == "decision_name" && r.Target == target);
                    string c = $"probe_{model}_{hook}_{label}";
                    Interval(m, c + "_r", p is null ? null : (p.R, p.RLow, p.RHigh));
                    bool nulls = p is { Shuffled.Draws: > 0, Permuted.Draws: > 0 };
                    m.Add((c + "_null_p95", nulls ? Math.Max(p!.Shuffled.P95, p.Permuted.P95) : double.NaN));
                    m.Add((c + "_p", nulls ? Math.Max(p!.Shuffled.P, p.Permuted.P) : double.NaN));
                }
        m.Add(("probe_trained_minus_untrained_last_learned_r",
            Derived(Value(m, "probe_instilled_last_learned_r") - Value(m, $"probe_{UntrainedBody.ModelName}_last_learned_r"))));
        foreach (var model in ReportingModels)
            foreach (var (label, target) in Targets)
            {
                var r = probes.FirstOrDefault(x => x.Model == model && x.Site == "report" && x.Target == target);
                Interval(m, $"report_{model}_{label}_r", r is null ? null : (r.R, r.RLow, r.RHigh));
            }
        foreach (var model in ReportingModels)
            foreach (var (hook, layer) in hooks)
            {
                var r = readout.FirstOrDefault(x => x.Model == model && x.Layer == layer && x.Against == "decision_name_probe");
                bool nulls = r is { Random.Draws: > 0, Shuffled.Draws: > 0 };
                string c = $"readout_{model}_{hook}";
                m.Add((c + "_cosine", r?.Cosine ?? double.NaN));
                m.Add((c + "_null_p95", nulls ? Math.Max(r!.Random.P95, r.Shuffled.P95) : double.NaN));
                m.Add((c + "_p", nulls ? Math.Max(r!.Random.P, r.Shuffled.P) : double.NaN));
                m.Add((c + "_reports_r", r?.ReadoutR ?? double.NaN));
            }
        foreach (var model in SteeredModels)
        {
            InterventionRow? Steering(string statistic) => interventions.FirstOrDefault(x => x.Test == "steering" && x.Model == model && x.Statistic == statistic);
            var slopes = Steering("dose_slope");
            Interval(m, $"steer_{model}_choice_dose_slope", slopes is null ? null : (slopes.Choice, slopes.ChoiceLow, slopes.ChoiceHigh));
            Interval(m, $"steer_{model}_report_dose_slope", slopes is null ? null : (slopes.Report, slopes.ReportLow, slopes.ReportHigh));
            foreach (var (statistic, name) in new[] { ("grounding_ratio", "grounding_ratio"), ("report_on_choice_pooled", "pooled_slope") })
                Interval(m, $"steer_{model}_{name}", Steering(statistic) is { } s ? (s.Report, s.ReportLow, s.ReportHigh) : null);
        }
        // The two held-out halves as one figure per run, as the evaluation pools them (itrained_held_out).
        foreach (var (column, value) in m.Where(x => x.Column.Contains("_" + First + "_", StringComparison.Ordinal) && IsSummarised(x.Column)).ToList())
            m.Add((column.Replace(First, HeldOut, StringComparison.Ordinal), Derived((value + Value(m, column.Replace(First, Last, StringComparison.Ordinal))) / 2)));
        m.Add((SecondsColumn, seconds));
        m.Add((CpuSecondsColumn, cpuSeconds));
        return m;
    }

    /// <summary>A figure computed from the lab files' (rounded to 4 places there), to 6 places: exact, without the
    /// binary noise (-0.017000000000000015) a reader would take for precision.</summary>
    static double Derived(double x) => Math.Round(x, 6);

    static double Value(List<(string Column, double Value)> m, string column) => m.First(x => x.Column == column).Value;
}
