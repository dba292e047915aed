using SelfInterp.Analysis;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Backends.Tests.OrganismEvaluation;

/// <summary>The sham's itraining effect where it must fire: the simulated observer's introspection training halves its
/// report noise whatever the training targets say, so training on permuted targets improves its reports as much as
/// training on the real ones, and the sham shows it.</summary>
public class ShamItrainingEffectTests
{
    private static RunConfig Config(string? sham) =>
        PreferencesExperiment.Config(PreferencesConfig.Preset("quick") with { ItrainTargets = sham }, "quick") with
        {
            Backend = "simulated", BaseModel = SimulatedBackend.BaseModelId, Seeds = Seeds.FromMaster(21),
            BackendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["report_noise"] = "300", ["itraining_noise_factor"] = "0.2" },
        };

    private static async Task<SelfInterp.Analysis.Summary.ModelAnalysis> Analysed(string? sham)
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("sham-effect").FullName, "run");
        await SimulatedPipelineTests.Run(dir, Config(sham));
        return Analyzer.Analyze(dir).Models.Single();
    }

    [Fact]
    public async Task A_target_blind_itraining_effect_is_matched_by_the_sham()
    {
        var real = (await Analysed(null)).PairedItrainingEffect!;
        var sham = (await Analysed(ShamTargets.Permuted)).PairedItrainingEffect!;
        Assert.True(real.Low > 0, $"real effect {real.Difference} [{real.Low}, {real.High}]");
        Assert.True(sham.Low > 0, $"sham effect {sham.Difference} [{sham.Low}, {sham.High}]"); // it fires
        Assert.InRange(sham.Difference - real.Difference, -0.15, 0.15);
    }
}
