using SelfInterp.Experiments;
using SelfInterp.Backends;
using SelfInterp.Organisms;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.WhiteBox.Tests;

/// <summary>A small run on the local backend over the shipped organism, made once for the class.</summary>
public sealed class SmallLocalRun
{
    public string Path { get; } = System.IO.Path.Combine(Directory.CreateTempSubdirectory("whitebox").FullName, "run");

    public SmallLocalRun()
    {
        var config = PreferencesExperiment.Config(new PreferencesConfig
        {
            Instilled = 6, Native = 2, Examples = 20, Validation = 1, Reports = 2, Selections = 6, NativeSelections = 6,
        }) with { Preset = "test", Backend = "local", BaseModel = ShippedOrganisms.Default };
        using var run = RunDirectory.OpenOrCreate(Path, config);
        var planned = new PreferencesExperiment().Open(config);
        Runner.RunAsync(run, planned, BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path), SilentProgress.Instance, default)
            .GetAwaiter().GetResult();
    }
}

public partial class LabTests(SmallLocalRun small) : IClassFixture<SmallLocalRun>
{
    [Fact]
    public void A_run_on_another_backend_is_refused_saying_it_needs_a_local_model()
    {
        var dir = System.IO.Path.Combine(Directory.CreateTempSubdirectory("whitebox").FullName, "sim");
        RunDirectory.OpenOrCreate(dir, PreferencesExperiment.Config("quick") with { Backend = "simulated" });
        var e = Assert.Throws<UsageException>(() => LabRun.Open(dir, "probe", 1));
        Assert.Contains("needs a local model", e.Message);
        Assert.Contains("config.backend", e.Message);
    }

    [Fact]
    public void Probes_cover_every_model_point_site_and_target_and_the_report_writes()
    {
        var run = LabRun.Open(small.Path, "probe", 2);
        var result = ProbeStudy.Run(run, new ProbeStudy.Settings(Trials: 10, Reports: 2, NullDraws: 20));
        var rows = result.Probes;
        int points = ProbeStudy.Points(run.Model("base").Model.Config.NLayers).Count;
        Assert.Equal(3 * (points * 5 + 2), rows.Count);
        Assert.All(rows, r => Assert.InRange(r.R, -1, 1));
        // Every probe stands beside its nulls; the reports have none.
        Assert.All(rows.Where(r => r.Site != "report"), r => Assert.True(r.Shuffled.Draws == 20 && r.Permuted.Draws == 20 && r.Shuffled.P is > 0 and <= 1, $"{r}"));
        Assert.All(rows.Where(r => r.Site == "report"), r => Assert.Equal(0, r.Shuffled.Draws));
        // The instilled model's choice weights are readable from its name tokens: instillation moved exactly those.
        var embed = rows.Single(r => r.Model == "instilled" && r.Layer == "hook_embed" && r.Site == "decision_name" && r.Target == "instilled_target");
        Assert.True(embed.R > 0.5, $"instilled targets from the instilled model's name embeddings: r {embed.R}");
        Assert.True(embed.R > embed.Shuffled.P95, $"{embed}");
        // The read-out direction against both probes, at every hook point, for each model that reports.
        Assert.Equal(3 * points * 2, result.Readout.Count);
        Assert.All(result.Readout, r => Assert.InRange(r.Cosine, -1, 1));
        string analysis = System.IO.Path.Combine(small.Path, PaperLayout.AnalysisDirectory);
        Directory.CreateDirectory(analysis);
        string csv = System.IO.Path.Combine(analysis, ProbeStudy.FileName);
        ProbeStudy.Write(csv, rows);
        ReadoutStudy.Write(System.IO.Path.Combine(analysis, ReadoutStudy.FileName), result.Readout);
        var back = WhiteBoxReport.ReadProbes(csv);
        Assert.Equal(rows.Count, back.Count);
        Assert.Equal(Math.Round(embed.Permuted.P95, 4), back.Single(r => r.Model == "instilled" && r.Layer == "hook_embed" && r.Site == "decision_name" && r.Target == "instilled_target").Permuted.P95);
        Assert.Equal(result.Readout.Count, ReadoutStudy.Read(System.IO.Path.Combine(analysis, ReadoutStudy.FileName)).Count);
        var (html, md) = WhiteBoxReport.Write(small.Path);
        Assert.Contains("<svg", File.ReadAllText(html));
        Assert.Contains("| instilled | hook_embed | decision_name | instilled_target |", File.ReadAllText(md));
        Assert.Contains("## Read-out direction against the probes", File.ReadAllText(md));
    }

    [Fact]
    public void The_untrained_body_keeps_the_embeddings_and_redraws_the_body_from_its_seeded_stream()
    {
        var run = LabRun.Open(small.Path, "probe", 2);
        var instilled = run.Model("instilled").Model;
        var control = UntrainedBody.Make(run.Organism("instilled"), run.Plan.Seeds.Master).Model;
        Assert.Equal(instilled.Tensor("tok_embeddings.weight").ToArray(), control.Tensor("tok_embeddings.weight").ToArray());
        foreach (var slot in instilled.Layout.Layout.Slots.Where(s => s.Name.StartsWith("layers.", StringComparison.Ordinal) && s.Shape.Length == 2))
            Assert.NotEqual(instilled.Tensor(slot.Name).ToArray(), control.Tensor(slot.Name).ToArray());
        Assert.Equal(control.Parameters, UntrainedBody.Make(run.Organism("instilled"), run.Plan.Seeds.Master).Model.Parameters);
        Assert.NotEqual(control.Parameters, UntrainedBody.Make(run.Organism("instilled"), run.Plan.Seeds.Master + 1).Model.Parameters);
        var fresh = UntrainedBody.Make(run.Organism("instilled"), run.Plan.Seeds.Master, keepEmbeddings: false).Model;
        Assert.NotEqual(instilled.Tensor("tok_embeddings.weight").ToArray(), fresh.Tensor("tok_embeddings.weight").ToArray());
    }

    [Fact]
    public void The_untrained_body_passes_on_what_the_embeddings_hold_and_a_network_with_fresh_embeddings_holds_nothing()
    {
        var run = LabRun.Open(small.Path, "probe", 2).WithUntrainedBody();
        Assert.Equal("instilled", run.Lab(UntrainedBody.ModelName).TargetsOf);
        var rows = ProbeStudy.Run(run, new ProbeStudy.Settings(Trials: 10, Reports: 2, NullDraws: 20)).Probes;
        ProbeRow Row(string model, string layer) => rows.Single(r => r.Model == model && r.Layer == layer && r.Site == "decision_name" && r.Target == "instilled_target");
        // Fires: at the embedding the control is the instilled model (the same r, by construction), and the instilled
        // targets are read there beyond the null although the network around those embeddings learnt nothing.
        var embed = Row(UntrainedBody.ModelName, "hook_embed");
        Assert.Equal(Row("instilled", "hook_embed").R, embed.R, 12);
        Assert.True(embed.R > embed.Shuffled.P95 && embed.R > embed.Permuted.P95, $"{embed}");
        // The control is scored on the instilled model's weights and writes no reports of its own.
        Assert.Equal(rows.Single(r => r.Model == "instilled" && r.Layer == "hook_embed" && r.Site == "decision_name" && r.Target == "learned_weight").R,
            rows.Single(r => r.Model == UntrainedBody.ModelName && r.Layer == "hook_embed" && r.Site == "decision_name" && r.Target == "learned_weight").R, 12);
        Assert.DoesNotContain(rows, r => r.Model == UntrainedBody.ModelName && r.Site == "report");

        // Must not fire: with the embeddings drawn afresh too, nothing about the instilled weights is left to read.
        var blank = UntrainedBody.Make(run.Organism("instilled"), run.Plan.Seeds.Master, keepEmbeddings: false);
        var observer = new Observer(new OrganismSubject(blank), run.Plan.Catalog, run.Plan.Config.ReportMaxTokens);
        var lab = run.Lab("instilled");
        var data = ProbeStudy.Observe(run, observer, 10, lab.Instilled);
        var nothing = ProbeStudy.Points(blank.Model.Config.NLayers).Select(point =>
        {
            var (x, sc, at) = ProbeStudy.NameUnits(data, point, report: false, lab.Instilled);
            var y = sc.Select((s, k) => (double)run.Plan.TargetWeights(s)[at[k]]).ToList();
            return ProbeNull.Run(x, y, sc, ProbeStudy.Folds, run.Plan.Seeds.Master, 40, "blank:" + point.Name);
        }).ToList();
        // Not above every draw of its null at any hook point (p above its least possible value, 1/41).
        Assert.All(nothing, n => Assert.True(n.Shuffled.P > 1.5 / 41 && n.Permuted.P > 1.5 / 41, $"a network with fresh embeddings read the targets: {n.Shuffled}, {n.Permuted}"));
    }

    [Fact]
    public void Held_out_the_lab_measures_each_half_trained_model_only_on_the_half_it_never_saw()
    {
        var run = LabRun.Open(small.Path, "probe", 2, heldOut: true);
        var instilled = run.Plan.Config.InstilledScenarios.ToList();
        Assert.Equal(["base", "instilled", "itrained_first", "itrained_last"], run.Models.Select(m => m.Name));
        Assert.Equal(instilled.Skip(3), run.Lab("itrained_first").Instilled);
        Assert.Equal(instilled.Take(3), run.Lab("itrained_last").Instilled);
        Assert.DoesNotContain(run.Models, m => m.Name == "itrained");

        var rows = InterventionStudy.Run(run, new InterventionStudy.Settings(Trials: 10, Reports: 2, SteerPoints: [-50, 50], ReadoutScales: [0]));
        Assert.Equal(["instilled", "itrained_first", "itrained_last"], rows.Select(r => r.Model).Distinct());
        Assert.All(rows.Where(r => r.Model.StartsWith("itrained", StringComparison.Ordinal) && r.Statistic == "mean_change"), r => Assert.Equal(3, r.Units));
        Assert.All(rows.Where(r => r.Model == "instilled" && r.Statistic == "mean_change"), r => Assert.Equal(6, r.Units));
    }

    [Fact]
    public void The_evaluation_lab_measures_a_run_once_and_its_cache_gives_the_same_row()
    {
        var settings = new LabSettings(Trials: 10, Reports: 2, NullDraws: 5);
        var (fresh, cached) = EvaluationLab.Measure(small.Path, settings, 2, _ => { });
        Assert.False(cached);
        double V(string column) => fresh.Single(x => x.Column == column).Value;
        // The untrained body keeps the instilled embeddings: at hook_embed it reads exactly what the instilled model does.
        Assert.Equal(V("probe_instilled_embed_learned_r"), V("probe_untrained_body_embed_learned_r"));
        Assert.True(V("probe_instilled_embed_target_r") > V("probe_instilled_embed_target_null_p95"), $"{V("probe_instilled_embed_target_r")}");
        // A reporting organism: the held-out models' reports, and steering that moves the choices with the strength.
        foreach (var column in new[] { "report_itrained_held_out_learned_r", "steer_itrained_held_out_choice_dose_slope", "steer_instilled_grounding_ratio" })
            Assert.True(double.IsFinite(V(column)), column);
        Assert.True(V("steer_instilled_choice_dose_slope") > 0, $"{V("steer_instilled_choice_dose_slope")}");

        // Measured once: the second call reads the cache (it never logs) and gives the same row.
        var (again, fromCache) = EvaluationLab.Measure(small.Path, settings, 1, s => throw new InvalidOperationException("measured again: " + s));
        Assert.True(fromCache);
        Assert.Equal(fresh, again);
        var e = Assert.Throws<UsageException>(() => EvaluationLab.Measure(small.Path, settings with { NullDraws = 6 }, 2, _ => { }));
        Assert.Contains(System.IO.Path.Combine(small.Path, EvaluationLab.DirectoryName, EvaluationLab.RecordFile), e.Message);
        Assert.Contains("5 null draws", e.Message);
    }

    [Fact]
    public void Interventions_move_what_they_touch_and_nothing_else()
    {
        var run = LabRun.Open(small.Path, "intervene", 2);
        var rows = InterventionStudy.Run(run, new InterventionStudy.Settings(Trials: 10, Reports: 2, SteerPoints: [-50, 0, 50], ReadoutScales: [1, 0]));
        foreach (var model in new[] { "instilled", "itrained" })
        {
            InterventionRow Row(string test, string setting) => rows.Single(r => r.Model == model && r.Test == test && r.Setting == setting && r.Statistic == "mean_change");
            // The controls: no intervention changes nothing, exactly.
            foreach (var r in new[] { Row("steering", "+0"), Row("report_path_only", "+0"), Row("decision_path_only", "x1") })
            {
                Assert.Equal(0, r.Choice, 1e-9);
                Assert.Equal(0, r.Report, 1e-9);
            }
            // Steering along the probe's direction moves the attribute's choice weight with the sign of α.
            Assert.True(Row("steering", "+50").Choice > Row("steering", "-50").Choice, $"{model}: {Row("steering", "+50")} vs {Row("steering", "-50")}");
            // Each path-only test leaves the other path exactly alone.
            Assert.Equal(0, Row("report_path_only", "+50").Choice);
            Assert.Equal(0, Row("decision_path_only", "x0").Report);
            Assert.NotEqual(0, Row("decision_path_only", "x0").Choice);
            // The curve's figures: one each per model, the choice's dose slope positive, the report path's choice slope exactly 0.
            foreach (var statistic in new[] { "dose_slope", "grounding_ratio", "report_on_choice_pooled", "report_on_choice_between_settings", "report_on_choice_within_setting" })
                Assert.Single(rows, r => r.Model == model && r.Test == "steering" && r.Statistic == statistic);
            Assert.True(rows.Single(r => r.Model == model && r.Test == "steering" && r.Statistic == "dose_slope").Choice > 0);
            Assert.Equal(0, rows.Single(r => r.Model == model && r.Test == "report_path_only" && r.Statistic == "dose_slope").Choice);
        }
        Assert.Equal(8, WhiteBoxReport.Sentences(rows).Count());
    }

    [Fact]
    public void Reverting_every_moved_parameter_gives_back_the_base_models_choices_exactly()
    {
        var run = LabRun.Open(small.Path, "wrapper", 2);
        var rows = WrapperStudy.Run(run, trials: 10, reports: 2);
        Assert.Equal(WrapperStudy.Shares.Length * 4, rows.Count);
        var all = rows.Single(r => r.Reverted == 1 && r.Measure == "choices_vs_base_choices");
        Assert.Equal(1, all.R, 1e-9);
        var none = rows.Single(r => r.Reverted == 0 && r.Measure == "choices_vs_instilled_target");
        Assert.True(none.R > 0.5, $"the instilled model's choices follow its targets: r {none.R}");
        Assert.True(rows.Single(r => r.Reverted == 1 && r.Measure == "choices_vs_instilled_target").R < none.R);
        Assert.All(rows.Where(r => r.Reverted == 0), r => Assert.Equal(0, r.Parameters));
    }
}
