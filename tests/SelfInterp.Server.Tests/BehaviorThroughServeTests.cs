using System.Collections.Concurrent;
using System.Text.Json;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Behavior;

namespace SelfInterp.Server.Tests;

/// <summary>
/// The behaviour experiment through `serve` (simulated behind it, reading prompts with a codec planned from other
/// seeds and sizes, as `serve --experiment behavior` is): the same files as in-process, with injected failures too;
/// and the exact requests the openai backend sends — the ones a real run sends to OpenAI.
/// </summary>
public sealed class BehaviorThroughServeTests
{
    private const string ClientKey = "sk-test-BEHAVIOR-41c9";
    private static readonly BehaviorConfig Sizes = new() { Seeds = 1, Examples = 30, Validation = 4, HeldOut = 12, Samples = 3 };

    private static RunConfig Config(string backend, SortedDictionary<string, string>? options = null) => new()
    {
        Experiment = BehaviorExperiment.ExperimentName, Preset = "test", Backend = backend, BaseModel = "simulated-base",
        Seeds = Seeds.FromMaster(1), Settings = Sizes.ToJson(), BackendOptions = options ?? new(StringComparer.Ordinal),
    };

    /// <summary>What `serve --experiment behavior` reads prompts with: the experiment at its quick preset, another seed.</summary>
    private static ITaskCodec ServeCodec() => new BehaviorExperiment().Open(new RunConfig
    {
        Experiment = BehaviorExperiment.ExperimentName, Backend = ServerHarness.Backend, BaseModel = "simulated-base",
        Seeds = Seeds.FromMaster(7), Settings = new BehaviorExperiment().Settings("quick", new Dictionary<string, string>()),
    }).Codec;

    private static List<string> Compared(string dir) =>
        Directory.GetFiles(dir, "*.csv").Concat(Directory.GetFiles(dir, "*.jsonl"))
            .Concat(Directory.GetFiles(Path.Combine(dir, BehaviorLayout.AnalysisDirectory)))
            .Select(f => Path.GetRelativePath(dir, f)).Order().ToList();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public async Task A_run_through_serve_writes_the_same_files_as_in_process(double failRate)
    {
        var local = await ServerHarness.RunExperimentAsync(Config(ServerHarness.Backend), _ => null);
        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey, failRate: failRate, codec: ServeCodec());
        var config = Config("openai", harness.ClientOptions());
        double retries = 0;
        var remote = await ServerHarness.RunExperimentAsync(config, run => ServerHarness.Client(config, ClientKey, delta => retries += delta.GetValueOrDefault("openai.retries")));

        var files = Compared(local);
        Assert.Equal(files, Compared(remote));
        Assert.Contains(BehaviorLayout.SelfReportsFile("risk_seeking_s1"), files);
        Assert.Contains(Path.Combine(BehaviorLayout.AnalysisDirectory, BehaviorLayout.SummaryFile), files);
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(local, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(remote, file))),
                $"{file} differs between the in-process and the served run");
        if (failRate > 0) Assert.True(retries > 0, "fault injection should have caused retries");
    }

    [Fact]
    public async Task Samples_200_through_serve_are_asked_in_passes_of_at_most_128_and_all_arrive()
    {
        // Issue 24: n = 200 was refused by the service (OpenAI's cap, and serve's, is 128) after the earlier stages had run.
        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey, codec: ServeCodec());
        var config = Config("openai", harness.ClientOptions()) with
        {
            Settings = (Sizes with { Samples = 200, Traits = ["risk"], Backdoor = null }).ToJson(),
        };
        var dir = await ServerHarness.RunExperimentAsync(config, run => ServerHarness.Client(config, ClientKey, null));
        var rows = File.ReadAllLines(Path.Combine(dir, BehaviorLayout.SelfReportsFile(BehaviorLayout.BaseKey))).Skip(1)
            .Select(l => l.Split(',')).GroupBy(f => (f[1], f[2], f[3])).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, g => Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString()), g.Select(f => f[4])));
    }

    /// <summary>Records every request body the backend sends, on its way to the server.</summary>
    private sealed class Recorder() : DelegatingHandler(new HttpClientHandler())
    {
        public readonly ConcurrentQueue<(string Path, JsonElement? Body)> Requests = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            JsonElement? body = null;
            if (request.Content is { } c && c.Headers.ContentType?.MediaType == "application/json")
                body = JsonDocument.Parse(await c.ReadAsStringAsync(ct)).RootElement.Clone();
            Requests.Enqueue((request.RequestUri!.AbsolutePath, body));
            return await base.SendAsync(request, ct);
        }
    }

    [Fact]
    public async Task The_openai_backend_sends_exactly_the_requests_of_a_real_run()
    {
        await using var harness = await ServerHarness.StartAsync(apiKey: ClientKey, codec: ServeCodec());
        var config = Config("openai", harness.ClientOptions());
        var recorder = new Recorder();
        var dir = await ServerHarness.RunExperimentAsync(config, _ => OpenAIBackend.FromEnvironment(config,
            name => name == OpenAIBackendOptions.ApiKeyVariable ? ClientKey : null, null, recorder));
        var plan = BehaviorPlan.Create(config);
        var chats = recorder.Requests.Where(r => r.Path.EndsWith("/chat/completions")).Select(r => r.Body!.Value).ToList();

        // Self-reports: one request per paraphrase, all its samples at once, at temperature 1, the question as the only message.
        var selfReports = chats.Where(b => b.TryGetProperty("n", out _)).ToList();
        int expected = plan.Models.Prepend(null).Sum(m => plan.SelfReportItems(m).Count);
        Assert.Equal(expected, selfReports.Count);
        var questions = plan.Models.Prepend(null).SelectMany(m => plan.SelfReportItems(m)).Select(q => q.Text).ToHashSet();
        foreach (var b in selfReports)
        {
            Assert.Equal(Sizes.Samples, b.GetProperty("n").GetInt32());
            Assert.Equal(1.0, b.GetProperty("temperature").GetDouble());
            Assert.Equal(Sizes.MaxTokens, (b.TryGetProperty("max_completion_tokens", out var t) ? t : b.GetProperty("max_tokens")).GetInt32());
            var messages = b.GetProperty("messages").EnumerateArray().ToList();
            var message = Assert.Single(messages);
            Assert.Equal("user", message.GetProperty("role").GetString());
            Assert.Contains(message.GetProperty("content").GetString()!, questions);
        }
        // Behaviour: one request per held-out question, temperature 0, one token, with log probabilities for P(A).
        var choices = chats.Where(b => !b.TryGetProperty("n", out _)).ToList();
        Assert.Equal(plan.Models.Prepend(null).Sum(m => plan.BehaviourItems(m).Count), choices.Count);
        Assert.All(choices, b =>
        {
            Assert.Equal(0.0, b.GetProperty("temperature").GetDouble());
            Assert.Equal(1, (b.TryGetProperty("max_completion_tokens", out var t) ? t : b.GetProperty("max_tokens")).GetInt32());
            Assert.True(b.GetProperty("logprobs").GetBoolean());
        });
        // One fine-tuning job per model, on the run's own training file and its base model.
        var jobs = recorder.Requests.Where(r => r.Path.EndsWith("/fine_tuning/jobs") && r.Body is not null).Select(r => r.Body!.Value).ToList();
        Assert.Equal(plan.Models.Count, jobs.Count);
        Assert.All(jobs, j => Assert.Equal("simulated-base", j.GetProperty("model").GetString()));
        var models = plan.Models.Select(m => m.Key).ToHashSet();
        Assert.All(jobs, j => Assert.Contains(j.GetProperty("suffix").GetString()!, models));
        Assert.True(File.Exists(Path.Combine(dir, BehaviorLayout.AnalysisDirectory, BehaviorLayout.SummaryFile)));
    }
}
