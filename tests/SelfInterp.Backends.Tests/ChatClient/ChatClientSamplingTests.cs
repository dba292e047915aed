using Microsoft.Extensions.AI;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Behavior;
using AI = Microsoft.Extensions.AI;

namespace SelfInterp.Backends.Tests.ChatClient;

/// <summary>Sampled self-reports through any IChatClient: the caller's temperature, n requests where the client has no n,
/// and the behaviour experiment through one end to end.</summary>
public sealed class ChatClientSamplingTests
{
    /// <summary>A client that knows nothing of n: one reply per request, numbered, with every request's options kept.</summary>
    private sealed class OneReplyClient : IChatClient
    {
        public List<(string Prompt, ChatOptions? Options)> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            string prompt = messages.Last().Text;
            lock (Calls) Calls.Add((prompt, options));
            return Task.FromResult(new ChatResponse(new AI.ChatMessage(ChatRole.Assistant, $"{prompt} #{options?.Seed}")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    [Fact]
    public async Task A_client_without_n_gets_n_requests_per_prompt_at_the_callers_temperature_each_with_its_own_seed()
    {
        var client = new OneReplyClient();
        var prompts = new[] { "rate your risk", "describe yourself" }.Select(t => new ChatPrompt([Core.Backends.ChatMessage.User(t)])).ToList();

        var replies = await new ChatClientBackend(client).SampleAsync("m", prompts, new Sampling(3, 0.85, 40), null, default);

        Assert.Equal(6, client.Calls.Count);
        Assert.All(client.Calls, c => Assert.Equal(0.85f, c.Options!.Temperature));
        Assert.All(client.Calls, c => Assert.Equal(40, c.Options!.MaxOutputTokens));
        Assert.All(client.Calls, c => Assert.Equal("m", c.Options!.ModelId));
        Assert.Equal(2, replies.Count);
        Assert.All(replies, r => Assert.Equal(3, r.Distinct().Count()));
        Assert.All(replies[0], r => Assert.StartsWith("rate your risk #", r));
        Assert.All(replies[1], r => Assert.StartsWith("describe yourself #", r));
        // The same prompts again: the same seeds, so a client that honours seeds gives the same samples.
        var again = await new ChatClientBackend(new OneReplyClient()).SampleAsync("m", prompts, new Sampling(3, 0.85, 40), null, default);
        Assert.Equal(replies.SelectMany(r => r), again.SelectMany(r => r));
    }

    /// <summary>The simulated backend's own fine-tuning, as a provider.</summary>
    private sealed class InProcessFineTuning(IModelBackend backend) : IFineTuningProvider
    {
        public string Name => "in-process";
        public Task<string> RunAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) => backend.FineTuneAsync(request, progress, ct);
        public Task<string> CancelAsync(string jobId, CancellationToken ct) => Task.FromResult("unknown");
    }

    [Fact]
    public async Task The_behaviour_experiment_through_an_IChatClient_writes_the_same_files_as_in_process()
    {
        var config = new RunConfig
        {
            Experiment = BehaviorExperiment.ExperimentName, Preset = "test", Backend = "simulated", BaseModel = "simulated-base",
            Seeds = Seeds.FromMaster(1), Settings = new BehaviorConfig { Seeds = 1, Examples = 30, Validation = 4, HeldOut = 12, Samples = 3 }.ToJson(),
        };
        async Task<string> Run(bool throughClient)
        {
            var dir = Path.Combine(Directory.CreateTempSubdirectory("behavior-chatclient").FullName, "run");
            using var run = RunDirectory.OpenOrCreate(dir, config);
            var planned = await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, default, p =>
            {
                var direct = BackendFactory.Create(config, p.Catalog, p.Codec, run.Path);
                return throughClient
                    ? new ChatClientBackend(new BackendChatClient(direct, config.BaseModel, DecisionPrompts.Classifier(p.Codec)), new InProcessFineTuning(direct))
                    : direct;
            });
            planned.Analyze(run.Path);
            return dir;
        }
        string local = await Run(false), viaClient = await Run(true);

        var files = Directory.GetFiles(local, "*.csv").Concat(Directory.GetFiles(local, "*.jsonl")).Select(Path.GetFileName).Order().ToList();
        Assert.Contains(BehaviorLayout.SelfReportsFile("risk_seeking_s1"), files);
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(local, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(viaClient, f!))), $"{f} differs");
    }
}
