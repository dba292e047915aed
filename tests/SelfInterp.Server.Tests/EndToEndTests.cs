using SelfInterp.Backends;
using SelfInterp.Core.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>
/// The quick pipeline through the openai backend against `serve` (simulated backend) gives the same files, byte
/// for byte, as the same pipeline run in-process on the simulated backend: prompts travel as text and are read
/// back, P(A) travels as log probabilities (read at double precision), and fault injection is absorbed by retries.
/// </summary>
public sealed class EndToEndTests
{
    private const string ClientKey = "sk-test-DISTINCTIVE-KEY-5c7e2b";

    private static RunConfig Small(string backend) => new()
    {
        Preset = "quick", Backend = backend, BaseModel = BackendFactory.DefaultBaseModel(ServerHarness.Backend),
        Instilled = 4, Native = 4, Examples = 12, Validation = 2, Reports = 2, Selections = 6, NativeSelections = 6,
    };

    private static async Task<RunDirectory> RunAsync(RunConfig config, Func<RunDirectory, Core.Backends.IModelBackend> backend)
    {
        var run = RunDirectory.OpenOrCreate(TempDir.Create("run-" + config.Backend), config);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await RunPipeline.RunAsync(run, backend(run), RunPipeline.ModelStages(config), SilentProgress.Instance, cts.Token);
        return run;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public async Task Pipeline_through_serve_matches_the_in_process_run(double failRate)
    {
        var local = await RunAsync(Small(ServerHarness.Backend), run => BackendFactory.Create(run.Manifest.Config, ScenarioCatalog.Load(null), run.Path));

        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey, failRate: failRate);
        var config = Small("openai") with { BackendOptions = harness.ClientOptions() };
        var remote = await RunAsync(config, run => ServerHarness.Client(run.Manifest.Config, ClientKey,
            delta => run.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; })));

        var localCsv = Directory.GetFiles(local.Path, "*.csv").Select(Path.GetFileName).Order().ToList();
        var remoteCsv = Directory.GetFiles(remote.Path, "*.csv").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(localCsv, remoteCsv);
        Assert.Contains(localCsv, f => f!.EndsWith("_instilled_selections.csv"));
        foreach (var file in localCsv)
            Assert.True(File.ReadAllBytes(Path.Combine(local.Path, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(remote.Path, file!))),
                $"{file} differs between the in-process and the served run");
        // P(A) made the trip: the selections carry a p_a value on every row.
        var selections = File.ReadAllLines(Path.Combine(remote.Path, localCsv.Single(f => f!.EndsWith("_instilled_selections.csv"))!));
        Assert.All(selections.Skip(1), line => Assert.False(line.EndsWith(','), line));

        foreach (var key in new[] { "instilled", "itrained_first", "itrained_last", "itrained_all" })
        {
            Assert.Equal(local.Manifest.Models[key].Id, remote.Manifest.Models[key].Id);
            Assert.StartsWith("ftjob-", remote.Manifest.Models[key].JobId);
        }
        var usage = RunManifest.Load(remote.ManifestPath).Usage;
        Assert.True(usage["openai.requests"] >= 80, $"requests: {usage["openai.requests"]}");
        Assert.True(usage["openai.prompt_tokens"] > 0);
        Assert.Equal(4, usage["openai.fine_tuning_jobs"]);
        if (failRate > 0) Assert.True(usage["openai.retries"] > 0, "fault injection should have caused retries");

        // The key reaches no file of the run directory, nor of the server's models directory.
        var files = Directory.EnumerateFiles(remote.Path, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(harness.ModelsDirectory, "*", SearchOption.AllDirectories)).ToList();
        Assert.Contains(files, f => f.EndsWith("run.json"));
        Assert.Contains(files, f => f.EndsWith(ServerStore.StateFile));
        foreach (var file in files)
            Assert.DoesNotContain(ClientKey, File.ReadAllText(file));
    }
}
