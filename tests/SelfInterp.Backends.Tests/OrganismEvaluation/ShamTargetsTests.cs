using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments.Preferences.Prompts;

namespace SelfInterp.Backends.Tests.OrganismEvaluation;

/// <summary>Sham introspection training's datasets: the same prompts, the answers replaced as the setting says, and
/// nothing changed without it.</summary>
public class ShamTargetsTests
{
    private static (PreferencesPlan Plan, PreferencesDatasets Data, string Dir) Build(string? sham, ulong seed = 11)
    {
        var config = PreferencesExperiment.Config(PreferencesConfig.Preset("quick") with { ItrainTargets = sham }, "quick") with { Seeds = Seeds.FromMaster(seed) };
        var plan = PreferencesPlan.Create(config);
        var dir = Directory.CreateTempSubdirectory("sham-targets").FullName;
        return (plan, DatasetBuilder.Build(plan, dir), dir);
    }

    private static string Answer(PreferencesPlan plan, int scenario, IReadOnlyList<int> weights) => PromptTemplates.ReportAnswer(plan.Scenario(scenario), weights);

    [Fact]
    public void Without_the_setting_the_config_and_the_files_are_as_before()
    {
        var (plan, data, _) = Build(null);
        Assert.False(plan.Run.Settings.ContainsKey("itrain_targets")); // run.json of older runs stays the same config
        foreach (var set in new[] { data.First, data.Last, data.All })
            foreach (var (s, e) in set.Scenarios.Zip(set.Examples))
                Assert.Equal(Answer(plan, s, plan.TargetWeights(s)), e.Answer);
    }

    [Fact]
    public void Permuted_gives_every_scenario_the_targets_of_another_in_its_own_training_set()
    {
        var (real, realData, _) = Build(null);
        var (plan, data, dir) = Build(ShamTargets.Permuted);
        foreach (var (set, realSet) in new[] { (data.First, realData.First), (data.Last, realData.Last), (data.All, realData.All) })
        {
            var sources = new List<int>();
            foreach (var (s, e) in set.Scenarios.Zip(set.Examples))
            {
                // Which scenario's targets this answer is: exactly one of the set's, never its own.
                var from = set.Scenarios.Where(o => Answer(plan, s, plan.TargetWeights(o)) == e.Answer).ToList();
                int source = Assert.Single(from);
                Assert.NotEqual(s, source);
                sources.Add(source);
            }
            Assert.Equal(set.Scenarios.Order(), sources.Order()); // a permutation: the same targets, other names
            Assert.Equal(realSet.Examples.Select(e => e.Prompt.Messages[^1].Content), set.Examples.Select(e => e.Prompt.Messages[^1].Content));
        }
        Assert.Equal(real.TargetWeights(3), plan.TargetWeights(3)); // instillation is untouched
        // Seeded: the same run builds the same files.
        var (_, again, _) = Build(ShamTargets.Permuted);
        Assert.Equal(data.All.Examples.Select(e => e.Answer), again.All.Examples.Select(e => e.Answer));
        Assert.Equal("permuted", plan.Run.Settings["itrain_targets"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(dir, DatasetBuilder.ItrainAllFileName(20))));
    }

    [Fact]
    public void Seed_N_gives_the_targets_run_seed_N_instils_and_refuses_the_runs_own_seed()
    {
        var (other, _, _) = Build(null, seed: 12);
        var (plan, data, _) = Build(ShamTargets.SeedPrefix + "12");
        foreach (var (s, e) in data.All.Scenarios.Zip(data.All.Examples))
        {
            Assert.Equal(Answer(plan, s, other.TargetWeights(s)), e.Answer);
            Assert.NotEqual(Answer(plan, s, plan.TargetWeights(s)), e.Answer);
        }
        var own = Assert.Throws<UsageException>(() => Build(ShamTargets.SeedPrefix + "11"));
        Assert.Contains("this run's own", own.Message);
    }

    [Fact]
    public void A_bad_setting_names_itself()
    {
        var e = Assert.Throws<UsageException>(() => new PreferencesExperiment().Settings("quick", new Dictionary<string, string> { ["itrain-targets"] = "shuffled" }));
        Assert.Contains("--itrain-targets shuffled: expected 'permuted' or 'seed:N'", e.Message);
        var config = PreferencesExperiment.Config(PreferencesConfig.Preset("quick") with { ItrainTargets = "seed:x" }, "quick");
        Assert.Contains("itrain_targets: expected", Assert.Throws<UsageException>(() => PreferencesPlan.Create(config)).Message);
    }

    [Fact]
    public void The_derangement_is_a_permutation_without_a_fixed_point()
    {
        var rng = new SeededStream("derangement-test", 1);
        for (int n = 2; n <= 60; n++)
        {
            var order = ShamTargets.Derangement(n, rng);
            Assert.Equal(Enumerable.Range(0, n), order.Order());
            Assert.All(Enumerable.Range(0, n), i => Assert.NotEqual(i, order[i]));
        }
    }
}
