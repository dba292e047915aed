using SelfInterp.Experiments;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Backends;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>The openai backend against `serve`: a rejected key, a failed job, and re-attaching to a job.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private ServerHarness _harness = null!;
    private PreferencesPlan _plan = null!;

    public async Task InitializeAsync()
    {
        _harness = await ServerHarness.StartAsync();
        _plan = PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 2, Native = 2 }));
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private RunConfig Config => new() { Backend = "openai", BaseModel = BackendFactory.DefaultBaseModel(ServerHarness.Backend), BackendOptions = _harness.ClientOptions() };

    private ChatPrompt Decision(int scenario, int k) =>
        _plan.DecisionPrompt(_plan.DrawTrial(scenario, Core.Random.SeededStream.Derive(9, $"client_tests:{k}")));

    [Fact]
    public async Task A_rejected_key_stops_at_once_with_a_clear_message()
    {
        var usage = new Dictionary<string, double>();
        var backend = ServerHarness.Client(Config, "sk-not-the-key", d => { foreach (var (k, v) in d) usage[k] = usage.GetValueOrDefault(k) + v; });
        var prompts = Enumerable.Range(0, 40).Select(k => Decision(0, k)).ToList();
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => backend.ChooseAsync("simulated-base", prompts, null, CancellationToken.None));
        Assert.Equal(401, e.Status);
        Assert.Contains("API key was rejected", e.Message);
        Assert.Contains("Incorrect API key", e.Message); // the service's own words
        // A 401 is not retried, and the batch stops: at most the requests already in flight (8) were sent.
        Assert.InRange(usage["openai.requests"], 1, 8);
        Assert.False(usage.ContainsKey("openai.retries"));
    }

    [Fact]
    public async Task Choices_come_back_in_prompt_order_with_probabilities()
    {
        var backend = ServerHarness.Client(Config, ServerHarness.ServerKey);
        var prompts = Enumerable.Range(0, 30).Select(k => Decision(k % 2, k)).ToList();
        var remote = await backend.ChooseAsync("simulated-base", prompts, null, CancellationToken.None);
        var local = BackendFactory.Create(new RunConfig { Backend = "simulated", BaseModel = "simulated-base" }, _plan.Catalog, new PreferencesCodec(_plan.Catalog, _plan.Prompts), TempDir.Create("local"));
        var expected = await local.ChooseAsync("simulated-base", prompts, null, CancellationToken.None);
        Assert.Equal(expected.Select(c => c.Selection), remote.Select(c => c.Selection));
        for (int i = 0; i < prompts.Count; i++)
            Assert.Equal(expected[i].ProbabilityA!.Value, remote[i].ProbabilityA!.Value, 12);
    }

    [Fact]
    public async Task A_failed_job_is_reported_with_the_services_message()
    {
        // Chat JSONL that is valid as a file but whose prompts the simulated backend cannot read: training fails.
        var dir = TempDir.Create("failjob");
        var examples = new List<TrainingExample> { new(new ChatPrompt([ChatMessage.User("Pick one: tea or coffee?")]), "A") };
        var file = Path.Combine(dir, "foreign.jsonl");
        ChatJsonl.Write(file, examples);
        string? created = null;
        var request = new FineTuneRequest("simulated-base", "foreign", file, null, examples, 5, JobCreated: id => created = id);
        var backend = ServerHarness.Client(Config, ServerHarness.ServerKey);
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => backend.FineTuneAsync(request, null, CancellationToken.None));
        Assert.NotNull(created);
        Assert.Contains(created!, e.Message);
        Assert.Contains("failed", e.Message);
        Assert.Contains("not one of this experiment's prompts", e.Message);
    }

    [Fact]
    public async Task Re_attaching_to_a_job_reuses_it_and_a_failed_one_is_replaced()
    {
        var dir = TempDir.Create("reattach");
        var rng = Core.Random.SeededStream.Derive(3, "reattach");
        var examples = Enumerable.Range(0, 20).Select(k =>
        {
            var trial = _plan.DrawTrial(k % 2, rng);
            return new TrainingExample(_plan.DecisionPrompt(trial), k % 3 == 0 ? "B" : "A");
        }).ToList();
        var file = Path.Combine(dir, "train.jsonl");
        ChatJsonl.Write(file, examples);
        var backend = ServerHarness.Client(Config, ServerHarness.ServerKey);

        var jobs = new List<string>();
        var first = new FineTuneRequest("simulated-base", "reattach", file, null, examples, 123456789, JobCreated: jobs.Add);
        var progress = new List<double>();
        string model = await backend.FineTuneAsync(first, new SyncProgress(progress.Add), CancellationToken.None);
        Assert.Matches("^ft:simulated-base:reattach:[0-9a-f]{32}$", model);
        Assert.Single(jobs);
        Assert.Equal(1.0, progress[^1]);

        // A restarted run passes the recorded job: no new job, the same model.
        string again = await backend.FineTuneAsync(first with { ExistingJobId = jobs[0] }, null, CancellationToken.None);
        Assert.Equal(model, again);
        Assert.Single(jobs);
        Assert.Equal(1, backend.Usage.Totals[UsageMeter.FineTuningJobs]);

        // A job the service no longer knows (or that failed) is replaced by a new one, reported through JobCreated.
        string replaced = await backend.FineTuneAsync(first with { ExistingJobId = "ftjob-gone" }, null, CancellationToken.None);
        Assert.Equal(model, replaced);
        Assert.Equal(2, jobs.Count);
        Assert.NotEqual(jobs[0], jobs[1]);
    }

    [Fact]
    public async Task Tokens_and_their_cost_are_counted_from_the_services_usage_figures()
    {
        var options = _harness.ClientOptions();
        options["input_price_per_million"] = "1";
        options["output_price_per_million"] = "2";
        var flushed = new Dictionary<string, double>();
        var backend = ServerHarness.Client(Config with { BackendOptions = options }, ServerHarness.ServerKey,
            d => { foreach (var (k, v) in d) flushed[k] = flushed.GetValueOrDefault(k) + v; });
        var prompts = Enumerable.Range(0, 5).Select(k => Decision(0, k)).ToList();
        await backend.ChooseAsync("simulated-base", prompts, null, CancellationToken.None);
        Assert.Equal(5, flushed[UsageMeter.Requests]);
        Assert.Equal(5, flushed[UsageMeter.CompletionTokens]); // one letter each
        Assert.True(flushed[UsageMeter.PromptTokens] > 5 * 20);
        Assert.Equal(flushed[UsageMeter.PromptTokens] / 1e6 + 2 * flushed[UsageMeter.CompletionTokens] / 1e6, flushed[UsageMeter.CostUsd], 12);
    }

    [Fact]
    public async Task Reports_are_completions_cut_at_the_token_limit_by_the_backend()
    {
        var backend = ServerHarness.Client(Config, ServerHarness.ServerKey);
        var trial = _plan.DrawTrial(1, Core.Random.SeededStream.Derive(4, "report"));
        var replies = await backend.CompleteAsync("simulated-base", [_plan.ReportPrompt(trial)], 120, null, CancellationToken.None);
        Assert.True(Analysis.Layout.ReportParser.TryParse(replies[0], _plan.Scenario(1), out var weights, out _), replies[0]);
        Assert.Equal(5, weights.Length);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
