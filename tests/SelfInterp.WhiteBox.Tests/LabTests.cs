using SelfInterp.Experiments;
using SelfInterp.Backends;
using SelfInterp.Backends.Local;
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

public class LabTests(SmallLocalRun small) : IClassFixture<SmallLocalRun>
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
        var rows = ProbeStudy.Run(run, new ProbeStudy.Settings(Trials: 10, Reports: 2));
        int points = ProbeStudy.Points(run.Model("base").Model.Config.NLayers).Count;
        Assert.Equal(3 * (points * 5 + 2), rows.Count);
        Assert.All(rows, r => Assert.InRange(r.R, -1, 1));
        // The instilled model's choice weights are readable from its name tokens: instillation moved exactly those.
        var embed = rows.Single(r => r.Model == "instilled" && r.Layer == "hook_embed" && r.Site == "decision_name" && r.Target == "instilled_target");
        Assert.True(embed.R > 0.5, $"instilled targets from the instilled model's name embeddings: r {embed.R}");
        Directory.CreateDirectory(System.IO.Path.Combine(small.Path, PaperLayout.AnalysisDirectory));
        string csv = System.IO.Path.Combine(small.Path, PaperLayout.AnalysisDirectory, ProbeStudy.FileName);
        ProbeStudy.Write(csv, rows);
        Assert.Equal(rows.Count, WhiteBoxReport.ReadProbes(csv).Count);
        var (html, md) = WhiteBoxReport.Write(small.Path);
        Assert.Contains("<svg", File.ReadAllText(html));
        Assert.Contains("| instilled | hook_embed | decision_name | instilled_target |", File.ReadAllText(md));
    }

    [Fact]
    public void Interventions_move_what_they_touch_and_nothing_else()
    {
        var run = LabRun.Open(small.Path, "intervene", 2);
        var rows = InterventionStudy.Run(run, new InterventionStudy.Settings(Trials: 10, Reports: 2, SteerPoints: [-50, 0, 50], ReadoutScales: [1, 0]));
        foreach (var model in new[] { "instilled", "itrained" })
        {
            InterventionRow Row(string test, string setting) => rows.Single(r => r.Model == model && r.Test == test && r.Setting == setting);
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
            Assert.Single(rows, r => r.Model == model && r.Statistic == "report_on_choice_slope");
        }
        Assert.Equal(6, WhiteBoxReport.Sentences(rows).Count());
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
