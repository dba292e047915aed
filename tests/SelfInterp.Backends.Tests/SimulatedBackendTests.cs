using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Analysis.Layout;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments.Preferences.Simulated;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests;

public class SimulatedBackendTests
{
    private static (SimulatedBackend Backend, PreferencesPlan Plan) Make(params (string Key, string Value)[] options)
    {
        var plan = PreferencesPlan.Create(PreferencesExperiment.Config("quick"));
        var backend = new SimulatedBackend(new PreferencesCodec(plan.Catalog, plan.Prompts), options.ToDictionary(o => o.Key, o => o.Value),
            Directory.CreateTempSubdirectory().FullName, 1);
        return (backend, plan);
    }

    private static PreferencesAgent Agent(SimulatedBackend backend) => Assert.IsType<PreferencesAgent>(Assert.Single(backend.Agents));

    private static List<TrainingExample> Examples(PreferencesPlan plan, int scenario, int n, SeededStream rng) =>
        Enumerable.Range(0, n).Select(_ =>
        {
            var t = plan.DrawTrial(scenario, rng);
            return new TrainingExample(plan.DecisionPrompt(t), Utility.Choice(plan.Scenario(scenario), plan.TargetWeights(scenario), t).ToString());
        }).ToList();

    [Fact]
    public async Task Fine_tuning_recovers_target_weights_and_perfect_reports_state_them()
    {
        var (backend, plan) = Make(("report_noise", "0"));
        var rng = new SeededStream("t", 1);
        var examples = Examples(plan, 0, 400, rng);
        var id = await backend.FineTuneAsync(new FineTuneRequest(SimulatedBackend.BaseModelId, "instilled", "", null, examples, 7), null, default);
        var learned = Agent(backend).WeightsOf(backend.Lineage(id), 0);
        var target = plan.TargetWeights(0);
        for (int i = 0; i < 5; i++) Assert.InRange(learned[i], target[i] - 15, target[i] + 15);

        var report = await backend.CompleteAsync(id, [plan.ReportPrompt(plan.DrawTrial(0, rng))], 100, null, default);
        Assert.True(ReportParser.TryParse(report[0], plan.Scenario(0), out var reported, out _));
        Assert.Equal(learned, reported);
    }

    [Fact]
    public async Task Text_only_prompts_get_the_same_answers_as_prompts_with_structure()
    {
        var (backend, plan) = Make();
        var rng = new SeededStream("t", 2);
        var prompts = Enumerable.Range(0, 20).Select(_ => plan.DecisionPrompt(plan.DrawTrial(3, rng))).ToList();
        var withMeta = await backend.ChooseAsync(SimulatedBackend.BaseModelId, prompts, null, default);
        var textOnly = await backend.ChooseAsync(SimulatedBackend.BaseModelId, prompts.Select(p => p with { Task = null }).ToList(), null, default);
        Assert.Equal(withMeta, textOnly);
    }

    [Fact]
    public async Task Itraining_shrinks_report_noise()
    {
        var (backend, plan) = Make(("report_noise", "40"), ("itraining_noise_factor", "0.25"));
        var id = await backend.FineTuneAsync(new FineTuneRequest(SimulatedBackend.BaseModelId, "itrained", "", null, [ReportExample(plan)], 3), null, default);
        Assert.Equal(10, Agent(backend).ReportNoiseOf(backend.Lineage(id)));
    }

    private static TrainingExample ReportExample(PreferencesPlan plan) =>
        new(plan.ReportPrompt(plan.DrawTrial(0, new SeededStream("r", 1))), PromptTemplates.ReportAnswer(plan.Scenario(0), plan.TargetWeights(0)));

    [Fact]
    public async Task Unknown_model_is_a_clear_error()
    {
        var (backend, plan) = Make();
        var e = await Assert.ThrowsAsync<UsageException>(() => backend.ChooseAsync("gpt-9", [plan.DecisionPrompt(plan.DrawTrial(0, new SeededStream("x", 1)))], null, default));
        Assert.Contains("gpt-9", e.Message);
    }

    [Fact]
    public void Bad_backend_option_names_the_key()
    {
        var e = Assert.Throws<UsageException>(() => SimulatedOptions.From(new Dictionary<string, string> { ["report_noise"] = "loud" }));
        Assert.Contains("report_noise", e.Message);
    }
}
