using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Organisms;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Datasets;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests;

/// <summary>
/// Issue 18, case 1: a fine-tuned model's id comes from what it was trained on. Before, the id was
/// ft:{base}:{suffix}:{seed % 100000}, and a job on other data with the same suffix and seed got the old model back.
/// </summary>
public class FineTunedIdentityTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();
    private static readonly PreferencesPlan Plan = PreferencesPlan.Create(PreferencesExperiment.Config("quick"));

    private static List<TrainingExample> Decisions(bool flipped)
    {
        var rng = new SeededStream("identity", 5);
        return Enumerable.Range(0, 16).Select(k =>
        {
            var trial = Plan.DrawTrial(k % 4, rng);
            bool a = k % 3 != 0;
            return new TrainingExample(Plan.DecisionPrompt(trial), a ^ flipped ? "A" : "B");
        }).ToList();
    }

    private static FineTuneRequest Request(string dir, string name, List<TrainingExample> examples, ulong seed = 42, string baseModel = TinyOrganism.Id)
    {
        var file = Path.Combine(dir, $"{Guid.NewGuid():N}.jsonl");
        ChatJsonl.Write(file, examples);
        return new FineTuneRequest(baseModel, name, file, null, examples, seed);
    }

    private LocalBackend Local(string models) =>
        new(Catalog, new PreferencesCodec(Catalog, PromptTemplates.Default), TinyOrganism.Id, tiny.Directory, models, threads: 1);

    private static byte[] Weights(string models, string id) =>
        File.ReadAllBytes(Path.Combine(models, FineTunedModelId.DirectoryName(id), "model.safetensors"));

    [Fact]
    public async Task Local_jobs_on_flipped_data_give_different_models_and_the_same_data_the_same_model_at_once()
    {
        var dir = Directory.CreateTempSubdirectory("identity").FullName;
        var models = Path.Combine(dir, "models");
        var backend = Local(models);

        string a = await backend.FineTuneAsync(Request(dir, "st", Decisions(flipped: false)), null, default);
        string b = await backend.FineTuneAsync(Request(dir, "st", Decisions(flipped: true)), null, default);
        Assert.NotEqual(a, b);
        Assert.False(Weights(models, a).AsSpan().SequenceEqual(Weights(models, b)), "flipped answers must train other weights");

        // Same inputs, from a fresh backend (as a restarted server): the same id, handed back without training.
        var before = File.GetLastWriteTimeUtc(Path.Combine(models, FineTunedModelId.DirectoryName(a), "model.safetensors"));
        string again = await Local(models).FineTuneAsync(Request(dir, "st", Decisions(flipped: false)), null, default);
        Assert.Equal(a, again);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(models, FineTunedModelId.DirectoryName(a), "model.safetensors")));

        // Another seed is another model.
        string seeded = await backend.FineTuneAsync(Request(dir, "st", Decisions(flipped: false), seed: 43), null, default);
        Assert.NotEqual(a, seeded);
    }

    [Fact]
    public async Task Suffixes_that_differ_only_in_unsafe_characters_get_different_directories()
    {
        var dir = Directory.CreateTempSubdirectory("identity").FullName;
        var models = Path.Combine(dir, "models");
        var backend = new SimulatedBackend(new PreferencesCodec(Catalog, PromptTemplates.Default), new Dictionary<string, string>(), models, 7);
        string colon = await backend.FineTuneAsync(Request(dir, "st:ale", Decisions(false), baseModel: SimulatedBackend.BaseModelId), null, default);
        string underscore = await backend.FineTuneAsync(Request(dir, "st_ale", Decisions(false), baseModel: SimulatedBackend.BaseModelId), null, default);
        Assert.NotEqual(FineTunedModelId.DirectoryName(colon), FineTunedModelId.DirectoryName(underscore));
        Assert.Equal(2, Directory.GetFiles(models).Length);
        foreach (var id in new[] { colon, underscore })
        {
            Assert.Matches("^ft-[0-9a-f]{32}$", FineTunedModelId.DirectoryName(id));
            Assert.Equal(id, backend.Model(id).Id);
        }
        // An id with a known hash but another prefix is not that model.
        var forged = "ft:simulated-base:other:" + colon.Split(':')[^1];
        Assert.Throws<UsageException>(() => new SimulatedBackend(new PreferencesCodec(Catalog, PromptTemplates.Default), new Dictionary<string, string>(), models, 7).Model(forged));
    }

    [Fact]
    public async Task A_local_id_that_names_no_trained_model_is_refused()
    {
        var backend = Local(Directory.CreateTempSubdirectory("identity").FullName);
        var e = await Assert.ThrowsAsync<UsageException>(() => backend.CompleteAsync("ft:organism:x:" + new string('0', 32), [Plan.ReportPrompt(Plan.DrawTrial(0, new SeededStream("x", 1)))], 4, null, default));
        Assert.Contains("unknown model", e.Message);
    }
}
