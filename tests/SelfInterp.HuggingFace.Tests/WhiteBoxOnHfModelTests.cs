using SelfInterp.Backends;
using SelfInterp.Organisms;
using SelfInterp.Core.Backends;
using SelfInterp.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.WhiteBox;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>The protocol and the white-box lab on a Hugging Face model, the external route end to end: a run on
/// `--base-model hf:DIR` stops at the first fine-tune naming what to train; the trained adapters (random here) are
/// registered as hf:DIR+adapter:DIR; the same run then elicits every model; probe and intervene run on it.</summary>
public sealed class WhiteBoxOnHfModelTests
{
    [Fact]
    public async Task RunStopsForTheExternalRouteThenElicitsAndTheLabRuns()
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied with { MaxPositions = 2048 });
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        RandomPeftAdapter.Write(fixture.Spec, dir["instilled"], 4, ["q_proj", "v_proj", "down_proj"], 16, false, seed: 1);
        RandomPeftAdapter.Write(fixture.Spec, dir["itrained"], 4, ["q_proj", "v_proj", "down_proj"], 16, false, seed: 2);

        var config = PreferencesExperiment.Config(new PreferencesConfig
        {
            Instilled = 6, Native = 2, Examples = 4, Validation = 1, Reports = 1, Selections = 6, NativeSelections = 6, ReportMaxTokens = 12,
        }) with { Preset = "test", Backend = "local", BaseModel = ShippedOrganisms.Resolve($"hf:{dir["hf"]}", new Dictionary<string, string>()) };
        string runPath = dir["run"];
        var planned = new PreferencesExperiment().Open(config);
        using (var run = RunDirectory.OpenOrCreate(runPath, config))
        {
            var e = await Assert.ThrowsAsync<FineTuneElsewhereException>(() =>
                Runner.RunAsync(run, planned, BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path), SilentProgress.Instance, default));
            Assert.Contains("instilled", e.Pending.Select(p => p.Key));
            var stages = planned.Stages.Stages;
            var fineTunes = stages.OfType<FineTuneStage>().ToDictionary(s => s.ResultKey, s => s.FromKey);
            string instilled = $"{config.BaseModel}+adapter:{dir["instilled"]}", itrained = $"{config.BaseModel}+adapter:{dir["itrained"]}";
            ModelRegistration.Set(run, fineTunes, fineTunes.Keys.Select(k => $"{k}={(k == "instilled" ? instilled : itrained)}").ToList(), stages: stages);
            // Random adapters instil nothing: the run's instillation check would stop it (--keep-going).
            await Runner.RunAsync(run, planned, BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path), SilentProgress.Instance, default, checks: ReplyChecks.Off);
        }

        var lab = LabRun.Open(runPath, "probe", 1);
        Assert.IsType<HfSubject>(lab.Model("instilled"));
        // The adapters were merged: the instilled model's weights differ from the base model's, and only in adapted matrices.
        var baseQ = lab.Model("base").Model.Tensor("layers.0.attention.wq.weight").ToArray();
        Assert.NotEqual(baseQ, lab.Model("instilled").Model.Tensor("layers.0.attention.wq.weight").ToArray());
        Assert.Equal(lab.Model("base").Model.Tensor("layers.0.attention.wk.weight").ToArray(), lab.Model("instilled").Model.Tensor("layers.0.attention.wk.weight").ToArray());

        var probed = ProbeStudy.Run(lab, new ProbeStudy.Settings(Trials: 10, Reports: 1, NullDraws: 5));
        var probes = probed.Probes;
        int points = ProbeStudy.Points(fixture.Spec.Layers).Count;
        Assert.Equal(3 * (points * 5 + 2), probes.Count);
        Assert.All(probes.Where(r => r.Layer != "reply"), r => Assert.Equal(5, r.Shuffled.Draws));
        // No parsed reports, so no read-out direction to compare.
        Assert.Empty(probed.Readout);
        Assert.All(probes.Where(r => r.Layer != "reply"), r => Assert.InRange(r.R, -1, 1));
        var interventions = InterventionStudy.Run(lab, new InterventionStudy.Settings(Trials: 10, Reports: 1, SteerPoints: [25], ReadoutScales: [0]));
        // Per model (instilled, itrained): steering and report-path rows at +25, the steering dose-response rows (its
        // slopes, grounding ratio and three report-on-choice slopes), the report path's slopes, the read-out ×0.
        Assert.Equal(2 * 9, interventions.Count);
        Assert.Equal(["instilled", "itrained"], interventions.Where(r => r.Test == "decision_path_only").Select(r => r.Model));
        // A random model's reports do not parse: their rows say so with no units rather than stopping the study.
        Assert.All(probes.Where(r => r.Layer == "reply"), r => Assert.Equal(0, r.Units));

        // What the commands write: the CSVs, the headline tables and the report.
        string analysis = Path.Combine(runPath, Analysis.Layout.PaperLayout.AnalysisDirectory);
        Directory.CreateDirectory(analysis);
        ProbeStudy.Write(Path.Combine(analysis, ProbeStudy.FileName), probes);
        InterventionStudy.Write(Path.Combine(analysis, InterventionStudy.FileName), interventions);
        Assert.Contains("instilled", WhiteBoxHeadline.Probes(probes));
        Assert.Contains("instilled", WhiteBoxHeadline.Interventions(interventions));
        ReadoutStudy.Write(Path.Combine(analysis, ReadoutStudy.FileName), probed.Readout);
        var (html, md) = WhiteBoxReport.Write(runPath);
        Assert.Contains("<svg", File.ReadAllText(html));
        Assert.Contains("| instilled |", File.ReadAllText(md));

        // Held out: the half-trained models are Hugging Face models too, each measured on the half it never saw.
        var heldOut = LabRun.Open(runPath, "probe", 1, heldOut: true);
        Assert.Equal(["base", "instilled", "itrained_first", "itrained_last"], heldOut.Models.Select(m => m.Name));
        Assert.All(heldOut.Models, m => Assert.IsType<HfSubject>(m.Subject));
        Assert.Equal(heldOut.Plan.Config.InstilledScenarios.Skip(3), heldOut.Lab("itrained_first").Instilled);
        Assert.Equal(heldOut.Plan.Config.InstilledScenarios.Take(3), heldOut.Lab("itrained_last").Instilled);
        // The untrained-body control draws a body from an organism's pretraining recipe, which a Hugging Face model has not.
        var refused = Assert.Throws<UsageException>(() => lab.WithUntrainedBody());
        Assert.Contains("--untrained-body", refused.Message);
        Assert.Contains("Hugging Face", refused.Message);
    }
}
