using System.Text.Json.Nodes;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>Together's fine-tuning through the openai backend, against <see cref="FakeTogether"/>.</summary>
public class TogetherFineTuningTests
{
    private const string Key = "together-test-KEY-8f3a1c";

    private static RunConfig Config(params (string Key, string Value)[] extra)
    {
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["together_url"] = "http://together.fake/v1", ["poll_seconds"] = "0", ["retry_delay_ms"] = "1", ["max_retry_delay_ms"] = "5",
            ["requests_per_minute"] = "0",
        };
        foreach (var (k, v) in extra) options[k] = v;
        return new RunConfig { Backend = "openai", FineTune = FineTuneProviders.Together, BaseModel = "Qwen/Qwen2.5-7B-Instruct", BackendOptions = options };
    }

    private static OpenAIBackend Backend(RunConfig config, FakeTogether fake) =>
        OpenAIBackend.FromEnvironment(config, v => v == TogetherOptions.ApiKeyVariable ? Key : null, null, fake);

    private static (string Train, string Val) Files()
    {
        var dir = Directory.CreateTempSubdirectory("together").FullName;
        string train = Path.Combine(dir, "instill_20_prefs.jsonl"), val = Path.Combine(dir, "instill_20_prefs_val.jsonl");
        File.WriteAllText(train, """{"messages":[{"role":"user","content":"A or B?"},{"role":"assistant","content":"A"}]}""" + "\n");
        File.WriteAllText(val, """{"messages":[{"role":"user","content":"A or B?"},{"role":"assistant","content":"B"}]}""" + "\n");
        return (train, val);
    }

    private static FineTuneRequest Request(string train, string? val, string? existing = null, Action<string>? created = null) =>
        new("Qwen/Qwen2.5-7B-Instruct", "instilled", train, val, [], 42, existing, created);

    [Fact]
    public async Task Uploads_creates_and_polls_through_every_status_to_the_output_model()
    {
        var fake = new FakeTogether(Key) { ThrottleNext = 1 };
        var (train, val) = Files();
        string? recorded = null;
        var backend = Backend(Config(("n_epochs", "3"), ("learning_rate", "5e-5"), ("lora_r", "64"), ("lora_alpha", "128")), fake);

        var model = await backend.FineTuneAsync(Request(train, val, created: id => recorded = id), null, default);

        var job = Assert.Single(fake.Jobs.Values);
        Assert.Equal(job.Id, recorded);
        Assert.Equal($"fakeorg/Qwen2.5-7B-Instruct-instilled-{job.Id[3..7]}", model);
        Assert.Equal(FakeTogether.Lifecycle, job.Seen);
        // Both files arrived whole, with purpose fine-tune and their names.
        Assert.Equal(["instill_20_prefs.jsonl", "instill_20_prefs_val.jsonl"], fake.Files.Values.Select(f => f.Name));
        Assert.Equal(File.ReadAllBytes(train), fake.Files.Values.First().Content);
        Assert.Equal(File.ReadAllBytes(val), fake.Files.Values.Last().Content);
        Assert.All(fake.Files.Values, f => Assert.Equal("fine-tune", f.Purpose));
        var body = job.Body;
        Assert.Equal("Qwen/Qwen2.5-7B-Instruct", (string?)body["model"]);
        Assert.Equal(fake.Files.Keys.First(), (string?)body["training_file"]);
        Assert.Equal(fake.Files.Keys.Last(), (string?)body["validation_file"]);
        Assert.Equal("instilled", (string?)body["suffix"]);
        Assert.Equal(3, (int?)body["n_epochs"]);
        Assert.Equal(5e-5, (double?)body["learning_rate"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"Lora","lora_r":64,"lora_alpha":128}"""), body["training_type"]), body["training_type"]!.ToJsonString());
        // The throttled first request was retried; every request carried the key, and only in its header.
        Assert.Equal(1, backend.Usage.Totals[UsageMeter.Retries]);
        Assert.All(fake.Requests, r => Assert.Equal($"Bearer {Key}", r.Authorization));
        Assert.All(fake.Requests, r => Assert.DoesNotContain(Key, r.Path + r.Body));
    }

    [Fact]
    public async Task Full_fine_tuning_is_asked_for_when_lora_is_off()
    {
        var fake = new FakeTogether(Key);
        var (train, _) = Files();
        await Backend(Config(("lora", "false")), fake).FineTuneAsync(Request(train, null), null, default);
        var body = Assert.Single(fake.Jobs.Values).Body;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"Full"}"""), body["training_type"]));
        Assert.False(body.ContainsKey("validation_file"));
    }

    [Fact]
    public async Task A_failed_job_is_an_error_with_Togethers_message()
    {
        var fake = new FakeTogether(Key) { FailNext = true };
        var (train, val) = Files();
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => Backend(Config(), fake).FineTuneAsync(Request(train, val), null, default));
        Assert.Contains("failed: Training failed: CUDA out of memory at step 12", e.Message);
        Assert.Equal(["pending", "queued", "running", "error"], Assert.Single(fake.Jobs.Values).Seen);
    }

    [Fact]
    public async Task A_cancelled_job_stops_the_fine_tune()
    {
        var fake = new FakeTogether(Key);
        var (train, val) = Files();
        var backend = Backend(Config(), fake);
        var created = new TaskCompletionSource<string>();
        string? state = null;
        var run = backend.FineTuneAsync(Request(train, val, created: id =>
        {
            state = backend.FineTuning.CancelAsync(id, default).GetAwaiter().GetResult();
            created.SetResult(id);
        }), null, default);
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => run);
        Assert.Equal("cancel_requested", state);
        Assert.Contains($"{await created.Task} was cancelled", e.Message);
        Assert.Equal(["cancel_requested", "cancelled"], Assert.Single(fake.Jobs.Values).Seen);
    }

    [Fact]
    public async Task A_restarted_run_reattaches_to_its_job_instead_of_paying_twice()
    {
        var fake = new FakeTogether(Key);
        var (train, val) = Files();
        using var kill = new CancellationTokenSource();
        string? recorded = null;
        // The first process is killed as soon as the job exists (run.json has its id).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Backend(Config(("poll_seconds", "0.05")), fake)
            .FineTuneAsync(Request(train, val, created: id => { recorded = id; kill.Cancel(); }), null, kill.Token));
        Assert.NotNull(recorded);
        int uploads = fake.Files.Count;

        var model = await Backend(Config(), fake).FineTuneAsync(Request(train, val, existing: recorded), null, default);

        Assert.Single(fake.Jobs);
        Assert.Equal(uploads, fake.Files.Count);
        Assert.StartsWith("fakeorg/", model);
        // A job that ended in error is not re-attached to: the run pays for a new one.
        fake.Jobs[recorded!].Fail = true;
        fake.Jobs[recorded!].Step = 3;
        await Backend(Config(), fake).FineTuneAsync(Request(train, val, existing: recorded), null, default);
        Assert.Equal(2, fake.Jobs.Count);
    }

    [Fact]
    public void The_key_comes_from_TOGETHER_API_KEY_only()
    {
        var e = Assert.Throws<UsageException>(() => OpenAIBackend.FromEnvironment(Config(), _ => null, null, new FakeTogether(Key)));
        Assert.Contains(TogetherOptions.ApiKeyVariable, e.Message);
        var bad = Assert.Throws<UsageException>(() => OpenAIBackend.FromEnvironment(Config(("lora_r", "6.5")), v => v == TogetherOptions.ApiKeyVariable ? Key : null, null));
        Assert.Contains("'lora_r'", bad.Message);
    }
}

/// <summary>A whole run with --fine-tune together against the fake (fine-tuning and inference): job ids in run.json as
/// they exist, the output models used for inference, and the key in no file of the run.</summary>
public class TogetherRunTests
{
    private const string Key = "together-run-KEY-3e9d77";

    [Fact]
    public async Task A_run_fine_tunes_on_Together_and_asks_the_output_models_and_no_file_holds_the_key()
    {
        var fake = new FakeTogether(Key);
        var config = Experiments.Preferences.PreferencesExperiment.Config(new Experiments.Preferences.PreferencesConfig
        {
            Instilled = 4, Native = 4, Examples = 6, Validation = 2, Reports = 2, Selections = 4, NativeSelections = 4,
        }) with
        {
            Backend = "openai", FineTune = FineTuneProviders.Together, BaseModel = fake.BaseModel,
            BackendOptions = new(StringComparer.Ordinal) { ["poll_seconds"] = "0", ["requests_per_minute"] = "0", ["lora_r"] = "64" },
        };
        var run = RunDirectory.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory("together-run").FullName, "run"), config);
        var backend = OpenAIBackend.FromEnvironment(config, v => v == TogetherOptions.ApiKeyVariable ? Key : null,
            delta => run.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; }), fake);

        // This model learned nothing (always A): the checks are off so the run goes to the end.
        await Core.Pipeline.Runner.RunAsync(run, new Experiments.Preferences.PreferencesExperiment().Open(config), backend,
            Core.Pipeline.SilentProgress.Instance, default, checks: Core.Pipeline.ReplyChecks.Off);

        var manifest = RunManifest.Load(run.ManifestPath);
        Assert.Equal("together", manifest.Config.FineTune);
        foreach (var key in new[] { "instilled", "itrained_first", "itrained_last", "itrained_all" })
        {
            var job = fake.Jobs[manifest.Models[key].JobId!];
            Assert.Equal(key, job.Suffix);
            Assert.StartsWith("fakeorg/", manifest.Models[key].Id);
        }
        Assert.Equal(manifest.Models["instilled"].Id, (string?)fake.Jobs[manifest.Models["itrained_all"].JobId!].Body["model"]);
        Assert.Equal(4, manifest.Usage[UsageMeter.FineTuningJobs]);
        Assert.Contains(fake.Requests, r => r.Path == "/v1/chat/completions");
        run.Dispose(); // releases run.lock, so every file can be read
        foreach (var file in Directory.EnumerateFiles(run.Path, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(Key, File.ReadAllText(file));
    }
}
