using SelfInterp.Experiments;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.ChatClient;

/// <summary>Inference through any IChatClient: the pipeline through one (ours, over the simulated backend) writes the
/// same files as the simulated backend in-process.</summary>
public sealed class ChatClientBackendTests
{
    private static RunConfig Small() => PreferencesExperiment.Config(new PreferencesConfig
    {
        Instilled = 4, Native = 4, Examples = 20, Validation = 2, Reports = 2, Selections = 12, NativeSelections = 12,
    }) with { Preset = "test", Backend = "simulated", BaseModel = "simulated-base" };

    /// <summary>The simulated backend's own fine-tuning, as a provider.</summary>
    private sealed class InProcessFineTuning(IModelBackend backend) : IFineTuningProvider
    {
        public string Name => "in-process";
        public Task<string> RunAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) => backend.FineTuneAsync(request, progress, ct);
        public Task<string> CancelAsync(string jobId, CancellationToken ct) => Task.FromResult("unknown");
    }

    private static async Task<RunDirectory> Run(Func<IModelBackend, IModelBackend> wrap)
    {
        var config = Small();
        var run = RunDirectory.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory().FullName, "run"), config);
        var planned = new PreferencesExperiment().Open(config);
        var backend = wrap(BackendFactory.Create(config, ScenarioCatalog.Embedded(), planned.Codec, run.Path));
        await Runner.RunAsync(run, planned, backend, SilentProgress.Instance, default);
        return run;
    }

    [Fact]
    public async Task The_pipeline_through_an_IChatClient_matches_the_backend_in_process()
    {
        var direct = await Run(b => b);
        var classifier = DecisionPrompts.Classifier(new PreferencesExperiment().Open(Small()).Codec);
        var viaClient = await Run(b => new ChatClientBackend(new BackendChatClient(b, "simulated-base", classifier), new InProcessFineTuning(b)));

        var files = Directory.GetFiles(direct.Path, "*.csv").Select(Path.GetFileName).ToList();
        Assert.Contains(files, f => f!.EndsWith("_instilled_selections.csv"));
        foreach (var f in files)
            Assert.Equal(File.ReadAllText(Path.Combine(direct.Path, f!)), File.ReadAllText(Path.Combine(viaClient.Path, f!)));
        // P(A) came through the client: the selections carry it on every row.
        Assert.All(File.ReadAllLines(Path.Combine(viaClient.Path, files.Single(f => f!.EndsWith("_instilled_selections.csv"))!)).Skip(1),
            line => Assert.False(line.EndsWith(','), line));
    }

    [Fact]
    public async Task Without_a_provider_fine_tuning_happens_elsewhere()
    {
        var backend = new ChatClientBackend(new BackendChatClient(BackendFactory.Create(Small(), ScenarioCatalog.Embedded(), new PreferencesExperiment().Open(Small()).Codec, Directory.CreateTempSubdirectory().FullName), "m", _ => false));
        var e = await Assert.ThrowsAsync<FineTuneElsewhereException>(() =>
            backend.FineTuneAsync(new FineTuneRequest("base", "instilled", "instill.jsonl", null, [], 1), null, default));
        Assert.Equal("instilled", Assert.Single(e.Pending).Key);
    }
}
