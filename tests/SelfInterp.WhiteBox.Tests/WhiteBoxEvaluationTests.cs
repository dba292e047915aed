using System.Globalization;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Core.Csv;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.WhiteBox.Tests;

/// <summary>The lab's figures across an evaluation on made-up lab results, where every number is known: which figure
/// each column takes, and the recipe-level summary (the pretraining seed as the unit).</summary>
public class WhiteBoxEvaluationTests
{
    const string Last = "blocks.1.hook_resid_post";

    static ProbeRow Probe(string model, string layer, string target, double r, double shuffled = 0.1, double permuted = 0.2) =>
        new(model, layer, "decision_name", target, 100, r, r - 0.05, r + 0.05, 1, 0.9, 1.1)
        {
            Shuffled = new NullComparison(shuffled, 1.0 / 21, 20),
            Permuted = new NullComparison(permuted, 2.0 / 21, 20),
        };

    /// <summary>A two-layer organism's lab results; <paramref name="instilledR"/> the instilled model's probe r at the last hook.</summary>
    static List<(string Column, double Value)> Measures(double instilledR, double firstCosine = 0.4, double lastCosine = 0.6)
    {
        var probes = new List<ProbeRow>
        {
            Probe("instilled", Last, "learned_weight", instilledR),
            Probe("instilled", "hook_embed", "learned_weight", 0.9),
            Probe("instilled", Last, "instilled_target", 0.8),
            Probe(UntrainedBody.ModelName, Last, "learned_weight", 0.7),
            Probe("itrained_first", Last, "learned_weight", 0.5),
            Probe("itrained_last", Last, "learned_weight", 0.3),
            // Another site at the same point: not the decision-name probe, so not in the row.
            Probe("instilled", Last, "learned_weight", -1) with { Site = "report_name" },
            new("itrained_first", "reply", "report", "learned_weight", 50, 0.7, 0.6, 0.8, 1, 0.9, 1.1),
            new("itrained_last", "reply", "report", "learned_weight", 50, 0.5, 0.4, 0.6, 1, 0.9, 1.1),
        };
        var readout = new List<ReadoutRow>
        {
            new("itrained_first", Last, "decision_name_probe", 50, 0.8, firstCosine, new NullComparison(0.15, 1.0 / 21, 20), new NullComparison(0.18, 3.0 / 21, 20)),
            new("itrained_last", Last, "decision_name_probe", 50, 0.7, lastCosine, new NullComparison(0.12, 1.0 / 21, 20), new NullComparison(0.11, 1.0 / 21, 20)),
            new("itrained_first", Last, "report_name_probe", 50, 0.8, -0.9, NullComparison.None, NullComparison.None),
        };
        var interventions = new List<InterventionRow>
        {
            new("steering", "instilled", "hook_embed", "all", "dose_slope", 500, 0.27, 0.22, 0.31, -0.19, -0.42, -0.01),
            new("steering", "instilled", "hook_embed", "all", "grounding_ratio", 500, double.NaN, double.NaN, double.NaN, -0.71, -1.64, -0.02),
            new("steering", "instilled", "hook_embed", "all", "report_on_choice_pooled", 500, double.NaN, double.NaN, double.NaN, -0.12, -0.78, 0.45),
            new("report_path_only", "instilled", "hook_embed", "all", "dose_slope", 500, 9, 9, 9, 9, 9, 9),
        };
        return WhiteBoxMeasures.From(2, probes, readout, interventions, seconds: 120, cpuSeconds: 100);
    }

    static double V(List<(string Column, double Value)> m, string column) => m.Single(x => x.Column == column).Value;

    [Fact]
    public void Each_column_takes_its_figure_and_a_missing_one_is_NaN()
    {
        var m = Measures(0.85);
        Assert.Equal(m.Count, m.Select(x => x.Column).Distinct().Count());
        Assert.Equal(0.85, V(m, "probe_instilled_last_learned_r"));
        Assert.Equal(0.80, V(m, "probe_instilled_last_learned_r_low"), 12);
        Assert.Equal(0.9, V(m, "probe_instilled_embed_learned_r"));
        Assert.Equal(0.8, V(m, "probe_instilled_last_target_r"));
        // Above its null means above both: the larger 95th percentile, the larger p.
        Assert.Equal(0.2, V(m, "probe_instilled_last_learned_null_p95"));
        Assert.Equal(2.0 / 21, V(m, "probe_instilled_last_learned_p"), 12);
        Assert.Equal(0.85 - 0.7, V(m, "probe_trained_minus_untrained_last_learned_r"), 12);
        Assert.True(double.IsNaN(V(m, "probe_base_last_learned_r")));      // no base probe in these results
        Assert.True(double.IsNaN(V(m, "probe_base_last_learned_null_p95")));
        // The read-out against the decision-name probe (not the report-name one), with the larger of its two nulls.
        Assert.Equal(0.4, V(m, "readout_itrained_first_last_cosine"));
        Assert.Equal(0.18, V(m, "readout_itrained_first_last_null_p95"));
        Assert.Equal(3.0 / 21, V(m, "readout_itrained_first_last_p"), 12);
        Assert.Equal(0.8, V(m, "readout_itrained_first_last_reports_r"));
        // Steering: the dose slopes of choice and report, the grounding ratio, the pooled slope; not the report-path-only test.
        Assert.Equal(0.27, V(m, "steer_instilled_choice_dose_slope"));
        Assert.Equal(-0.19, V(m, "steer_instilled_report_dose_slope"));
        Assert.Equal(-0.01, V(m, "steer_instilled_report_dose_slope_high"));
        Assert.Equal(-0.71, V(m, "steer_instilled_grounding_ratio"));
        Assert.Equal(-1.64, V(m, "steer_instilled_grounding_ratio_low"));
        Assert.Equal(-0.12, V(m, "steer_instilled_pooled_slope"));
        Assert.True(double.IsNaN(V(m, "steer_itrained_first_grounding_ratio")));
        // The held-out pair as one figure: the mean of the halves, only where both have it.
        Assert.Equal(0.5, V(m, "readout_itrained_held_out_last_cosine"), 12);
        Assert.Equal(0.4, V(m, "probe_itrained_held_out_last_learned_r"), 12);
        Assert.Equal(0.6, V(m, "report_itrained_held_out_learned_r"), 12);
        Assert.True(double.IsNaN(V(m, "readout_itrained_held_out_embed_cosine")));
        Assert.DoesNotContain(m, x => x.Column.StartsWith("probe_itrained_held_out", StringComparison.Ordinal) && x.Column.EndsWith("_low", StringComparison.Ordinal));
        Assert.Equal(120, V(m, WhiteBoxMeasures.SecondsColumn));
        // Every run has the same columns in the same order, whatever its lab found.
        Assert.Equal(m.Select(x => x.Column), WhiteBoxMeasures.From(2, [], [], [], 0, 0).Select(x => x.Column));
    }

    [Fact]
    public void The_recipe_level_treats_the_pretraining_seed_as_the_unit()
    {
        // Three pretraining seeds: two runs, two runs, one run (the lab on fewer run seeds of one).
        var values = new[] { ("a", 1UL, new[] { 0.80, 0.84 }), ("b", 2UL, new[] { 0.60, 0.64 }), ("c", 3UL, new[] { 0.20 }) };
        var rows = values.SelectMany(s => s.Item3.Select((r, k) => new EvaluationRow(s.Item1, s.Item2, 11UL + (ulong)k, Measures(r, firstCosine: r / 2)))).ToList();
        var dir = Directory.CreateTempSubdirectory("white-box-tables").FullName;
        WhiteBoxTables.Write(dir, rows, [], new LabSettings(NullDraws: 20));

        var table = CsvTable.Read(Path.Combine(dir, WhiteBoxTables.RecipeLevelFile));
        CsvRow Row(string measure) => table.Rows.Single(r => r["measure"] == measure);
        double D(CsvRow r, string c) => double.Parse(r[c], CultureInfo.InvariantCulture);
        var seedMeans = new[] { 0.82, 0.62, 0.20 };
        double mean = seedMeans.Average(), se = Descriptive.StandardDeviation(seedMeans) / Math.Sqrt(3);
        var probe = Row("probe_instilled_last_learned_r");
        Assert.Equal(mean, D(probe, "estimate"), 12);                       // each seed counts once, not each run
        Assert.NotEqual(rows.Average(r => r["probe_instilled_last_learned_r"]), D(probe, "estimate"), 6);
        Assert.Equal(mean - StudentT.Critical95(2) * se, D(probe, "low"), 12);
        Assert.Equal(mean + StudentT.Critical95(2) * se, D(probe, "high"), 12);
        Assert.Equal(Math.Sqrt((0.02 * 0.02 * 4) / 2), D(probe, "within_seed_sd"), 12); // pooled over the seeds with two runs
        Assert.Equal("3", probe["pretrain_seeds"]);
        Assert.Equal("5", probe["runs"]);
        Assert.Equal("1", probe["min_runs_per_seed"]);
        // A derived figure is summarised like any other: the held-out read-out cosine is (r/2 + 0.6) / 2 per run.
        Assert.Equal(seedMeans.Select(r => (r / 2 + 0.6) / 2).Average(), D(Row("readout_itrained_held_out_last_cosine"), "estimate"), 12);
        // A figure no run has: no seeds, no estimate (an empty field for R's NA and pandas' NaN).
        Assert.Equal("0", Row("probe_base_last_learned_r")["pretrain_seeds"]);
        Assert.Equal("", Row("probe_base_last_learned_r")["estimate"]);
        // Interval ends, p-values and times are per run only.
        Assert.DoesNotContain(table.Rows, r => r["measure"].EndsWith("_low", StringComparison.Ordinal) || r["measure"].EndsWith("_p", StringComparison.Ordinal)
                                              || r["measure"] == WhiteBoxMeasures.SecondsColumn);
        Assert.Contains(table.Rows, r => r["measure"] == "probe_instilled_last_learned_null_p95");

        // One line per run in white_box.csv, keyed as evaluation.csv is, read back as the evaluation's rows are.
        var back = EvaluationRow.ReadAll(Path.Combine(dir, WhiteBoxTables.RowsFile));
        Assert.Equal(rows.Select(r => (r.Organism, r.PretrainSeed, r.RunSeed)), back.Select(r => (r.Organism, r.PretrainSeed, r.RunSeed)));
        Assert.Equal(0.64, back[3]["probe_instilled_last_learned_r"]);
        var md = File.ReadAllText(Path.Combine(dir, WhiteBoxTables.MarkdownFile));
        Assert.Contains("## Recipe level (the pretraining seed as the unit)", md);
        Assert.Contains($"| probe_instilled_last_learned_r | {mean.ToString("F3", CultureInfo.InvariantCulture)} [", md);
        Assert.Contains("Cost per run: 120 s wall, 100 s of CPU", md);
    }
}
