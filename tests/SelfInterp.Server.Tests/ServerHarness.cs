using SelfInterp.Experiments;
using SelfInterp.Backends;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Analysis.Layout;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Runs;
using SelfInterp.Server;

namespace SelfInterp.Server.Tests;

/// <summary>A server on a free loopback port with the simulated backend and a temporary models directory.</summary>
public sealed class ServerHarness : IAsyncDisposable
{
    public const string ServerKey = "sk-test-SERVER-9d1e";

    public SelfInterpServer Server { get; }
    public string ModelsDirectory { get; }
    public HttpClient Http { get; }

    private ServerHarness(SelfInterpServer server, string dir, string? key)
    {
        Server = server;
        ModelsDirectory = dir;
        Http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) Http.DefaultRequestHeaders.Authorization = new("Bearer", key);
    }

    /// <summary>The tests rely on the simulated observer's behaviour (it refuses prompts it cannot read), so they pin it
    /// rather than follow <see cref="BackendFactory.DefaultServeBackend"/>.</summary>
    public const string Backend = "simulated";

    public static async Task<ServerHarness> StartAsync(string? apiKey = ServerKey, double failRate = 0, long maxRequestBytes = 8L * 1024 * 1024, string? modelsDirectory = null,
        string backendName = Backend, SortedDictionary<string, string>? backendOptions = null, Core.Tasks.ITaskCodec? codec = null)
    {
        var dir = modelsDirectory ?? TempDir.Create("serve");
        var catalog = ScenarioCatalog.Load(null);
        var config = new RunConfig
        {
            Backend = backendName, BaseModel = BackendFactory.DefaultBaseModel(backendName),
            BackendOptions = backendOptions ?? new(StringComparer.Ordinal),
        };
        codec ??= new PreferencesCodec(catalog, PromptTemplates.Default);
        var backend = BackendFactory.Create(config, catalog, codec, dir, modelsDirectory: dir);
        var server = await SelfInterpServer.StartAsync(
            new ServerOptions(dir, config.BaseModel, Port: 0, ApiKey: apiKey, FailRate: failRate, Seed: 7, MaxRequestBytes: maxRequestBytes),
            backend, DecisionPrompts.Classifier(codec));
        return new ServerHarness(server, dir, apiKey);
    }

    /// <summary>Options for an openai backend pointed at this server: no pacing, fast polls, quick and many retries.</summary>
    public SortedDictionary<string, string> ClientOptions() => new(StringComparer.Ordinal)
    {
        ["base_url"] = Server.BaseUrl.ToString(),
        ["requests_per_minute"] = "0",
        ["poll_seconds"] = "0.02",
        ["retry_delay_ms"] = "1",
        ["max_retry_delay_ms"] = "50",
        ["max_retries"] = "12",
    };

    public static OpenAIBackend Client(RunConfig config, string key, Action<IReadOnlyDictionary<string, double>>? usage = null) =>
        OpenAIBackend.FromEnvironment(config, name => name == OpenAIBackendOptions.ApiKeyVariable ? key : null, usage);

    /// <summary>Runs the config's experiment to the end in a fresh directory, on the given backend (null: the one the
    /// config names), analyses it and returns the directory.</summary>
    public static async Task<string> RunExperimentAsync(RunConfig config, Func<RunDirectory, Core.Backends.IModelBackend?> backend)
    {
        var dir = TempDir.Create(config.Experiment + "-" + config.Backend);
        using var run = RunDirectory.OpenOrCreate(dir, config);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var planned = await ExperimentCatalog.RunAsync(run, Core.Pipeline.SilentProgress.Instance, cts.Token,
            p => backend(run) ?? BackendFactory.Create(config, p.Catalog, p.Codec, run.Path));
        planned.Analyze(run.Path);
        return dir;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

public static class TempDir
{
    public static string Create(string label)
    {
        var dir = Path.Combine(Path.GetTempPath(), "selfinterp-tests", $"{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
