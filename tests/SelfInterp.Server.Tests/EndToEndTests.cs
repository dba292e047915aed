using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments;
using System.Globalization;
using SelfInterp.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>
/// The quick pipeline through the openai backend against `serve` (simulated backend) gives the same files, byte
/// for byte, as the same pipeline run in-process on the simulated backend: prompts travel as text and are read
/// back, P(A) travels as log probabilities (read at double precision), and fault injection is absorbed by retries.
/// </summary>
public sealed class EndToEndTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private const string ClientKey = "sk-test-DISTINCTIVE-KEY-5c7e2b";

    private static RunConfig Small(string backend, string served = ServerHarness.Backend) => PreferencesExperiment.Config(
        new PreferencesConfig { Instilled = 4, Native = 4, Examples = 12, Validation = 2, Reports = 2, Selections = 6, NativeSelections = 6 }, "quick") with
    {
        Backend = backend, BaseModel = BackendFactory.DefaultBaseModel(served),
    };

    private static async Task<RunDirectory> RunAsync(RunConfig config, Func<RunDirectory, Core.Backends.IModelBackend?> backend, ReplyChecks? checks = null)
    {
        using var run = RunDirectory.OpenOrCreate(TempDir.Create("run-" + config.Backend), config); // released on return, as when the process ends
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, cts.Token, planned => backend(run) ?? BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path), checks);
        return run;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public async Task Pipeline_through_serve_matches_the_in_process_run(double failRate)
    {
        var local = await RunAsync(Small(ServerHarness.Backend), run => null);

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

    /// <summary>Cross-prediction through `serve`: its extra fine-tune is a second kind of job on the service (the
    /// cross model from the base model), and every file, the cross model's reports included, is the in-process run's.</summary>
    [Fact]
    public async Task Cross_prediction_through_serve_matches_the_in_process_run()
    {
        RunConfig Cross(RunConfig c) => c with { Experiment = "cross-prediction" };
        var local = await RunAsync(Cross(Small(ServerHarness.Backend)), run => null);
        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey);
        var remote = await RunAsync(Cross(Small("openai") with { BackendOptions = harness.ClientOptions() }),
            run => ServerHarness.Client(run.Manifest.Config, ClientKey, delta => run.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; })));

        var files = Directory.GetFiles(local.Path, "*.*").Select(Path.GetFileName).Where(f => f is not "run.json").Order().ToList();
        Assert.Contains("simulated-base_cross_weight_reports.csv", files);
        Assert.Contains("cross_4_choices.jsonl", files);
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(local.Path, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(remote.Path, file!))), file);
        Assert.Equal(local.Manifest.Models["cross"].Id, remote.Manifest.Models["cross"].Id);
        Assert.StartsWith("ftjob-", remote.Manifest.Models["cross"].JobId);
        Assert.Equal(5, RunManifest.Load(remote.ManifestPath).Usage["openai.fine_tuning_jobs"]);
    }

    /// <summary>The same with our local engine behind the server (a tiny organism: plumbing, not quality). The analysis
    /// summaries agree, timing aside, because the files they are computed from are the same bytes.</summary>
    [Fact]
    public async Task Local_engine_through_serve_matches_the_in_process_local_run()
    {
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["base_model_dir"] = tiny.Directory };
        var inProcess = await RunAsync(Small("local", "local") with { BackendOptions = options },
            run => null, ReplyChecks.Off);

        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey, backendName: "local", backendOptions: options);
        var remote = await RunAsync(Small("openai", "local") with { BackendOptions = harness.ClientOptions() },
            run => ServerHarness.Client(run.Manifest.Config, ClientKey), ReplyChecks.Off);

        // Same choices and reports. P(A) agrees to float precision only: the server batches requests as they
        // arrive, and a batch of another size can round a logit differently in its last bits.
        foreach (var file in Directory.GetFiles(inProcess.Path, "*.csv").Select(Path.GetFileName))
        {
            var x = File.ReadAllLines(Path.Combine(inProcess.Path, file!));
            var y = File.ReadAllLines(Path.Combine(remote.Path, file!));
            Assert.Equal(x.Length, y.Length);
            bool hasP = x[0].EndsWith(",p_a");
            for (int i = 0; i < x.Length; i++)
            {
                if (!hasP || i == 0) { Assert.Equal(x[i], y[i]); continue; }
                int cx = x[i].LastIndexOf(','), cy = y[i].LastIndexOf(',');
                Assert.Equal(x[i][..cx], y[i][..cy]);
                Assert.Equal(double.Parse(x[i][(cx + 1)..], CultureInfo.InvariantCulture), double.Parse(y[i][(cy + 1)..], CultureInfo.InvariantCulture), 4);
            }
        }
        var a = Analysis.Analyzer.Analyze(inProcess.Path);
        var b = Analysis.Analyzer.Analyze(remote.Path);
        Assert.Equal(WithoutTiming(Analysis.Summary.SummaryJson.Write(a)), WithoutTiming(Analysis.Summary.SummaryJson.Write(b)));
    }

    private static string WithoutTiming(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("elapsed_s");
        return node.ToJsonString();
    }
}

/// <summary>A tiny organism pretrained once for the class: enough to exercise the local engine end to end.</summary>
public sealed class TinyOrganism
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("organism").FullName;
    public TinyOrganism() => Organisms.Pretraining.Run(Organisms.OrganismRecipe.Tiny, ScenarioCatalog.Embedded(), Directory, threads: 1, null, default);
}
