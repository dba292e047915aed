using System.Text.Json.Nodes;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Contracts;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>
/// Together's fine-tuning through the openai backend, against <see cref="FakeTogether"/> behind a
/// <see cref="ContractCheckedHandler"/>: every request the client sends and every answer the fake gives is checked
/// against Together's published document, so a test passes only if both keep to it.
/// </summary>
public class TogetherFineTuningTests
{
    public const string Key = "together-test-KEY-8f3a1c";
    private const string Base = FakeTogether.ServerlessBase;

    public static RunConfig Config(params (string Key, string Value)[] extra)
    {
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["together_url"] = "http://together.fake/v1", ["poll_seconds"] = "0", ["retry_delay_ms"] = "1", ["max_retry_delay_ms"] = "5",
            ["requests_per_minute"] = "0",
        };
        foreach (var (k, v) in extra) options[k] = v;
        return new RunConfig { Backend = "openai", FineTune = FineTuneProviders.Together, BaseModel = Base, BackendOptions = options };
    }

    public static OpenAIBackend Backend(RunConfig config, HttpMessageHandler handler) =>
        OpenAIBackend.FromEnvironment(config, v => v == TogetherOptions.ApiKeyVariable ? Key : null, null, handler);

    public static (string Train, string Val) Files()
    {
        var dir = Directory.CreateTempSubdirectory("together").FullName;
        string train = Path.Combine(dir, "instill_20_prefs.jsonl"), val = Path.Combine(dir, "instill_20_prefs_val.jsonl");
        File.WriteAllText(train, """{"messages":[{"role":"user","content":"A or B?"},{"role":"assistant","content":"A"}]}""" + "\n");
        File.WriteAllText(val, """{"messages":[{"role":"user","content":"A or B?"},{"role":"assistant","content":"B"}]}""" + "\n");
        return (train, val);
    }

    private static FineTuneRequest Request(string train, string? val, string? existing = null, Action<string>? created = null, string from = Base, string name = "instilled") =>
        new(from, name, train, val, [], 42, existing, created);

    [Fact]
    public async Task Uploads_creates_and_polls_through_every_running_status_to_the_output_model_all_as_the_document_says()
    {
        var fake = new FakeTogether(Key) { ThrottleNext = 1, NextScript = ["pending", "queued", "running", "compressing", "uploading", "completed"] };
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var (train, val) = Files();
        string? recorded = null;
        var backend = Backend(Config(("n_epochs", "3"), ("learning_rate", "5e-5"), ("lora_r", "32"), ("lora_alpha", "64")), checkedFake);

        var model = await backend.FineTuneAsync(Request(train, val, created: id => recorded = id), null, default);

        checkedFake.AssertClean();
        var job = Assert.Single(fake.Jobs.Values);
        Assert.Equal(job.Id, recorded);
        Assert.Equal(job.OutputName, model);
        Assert.Equal(FakeTogether.Lifecycle, job.Seen);
        Assert.Equal(["instill_20_prefs.jsonl", "instill_20_prefs_val.jsonl"], fake.Files.Values.Select(f => f.Name));
        Assert.Equal(File.ReadAllBytes(train), fake.Files.Values.First().Content);
        var body = job.Body;
        Assert.Equal(Base, (string?)body["model"]);
        Assert.False(body.ContainsKey("from_checkpoint"));
        Assert.Equal(fake.Files.Keys.Last(), (string?)body["validation_file"]);
        Assert.Equal(1, (int?)body["n_evals"]); // else Together never evaluates the validation file
        Assert.Equal(42, (long?)body["random_seed"]);
        Assert.Equal("instilled", (string?)body["suffix"]);
        Assert.Equal(3, (int?)body["n_epochs"]);
        Assert.Equal(5e-5, (double?)body["learning_rate"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"Lora","lora_r":32,"lora_alpha":64}"""), body["training_type"]), body["training_type"]!.ToJsonString());
        Assert.Equal(1, backend.Usage.Totals[UsageMeter.Retries]);
        Assert.All(fake.Requests, r => Assert.Equal($"Bearer {Key}", r.Authorization));
        Assert.All(fake.Requests, r => Assert.DoesNotContain(Key, r.PathAndQuery + r.Body));
        Assert.Contains("POST /files/upload 200", checkedFake.Checked);
        Assert.Contains("POST /fine-tunes 200", checkedFake.Checked);
        Assert.Contains("GET /fine-tunes/{id} 200", checkedFake.Checked);
        Assert.Contains("POST /files/upload 429", checkedFake.Checked);

        // The listings the client does not need on this path, read by hand through the same check: jobs, events.
        using var http = new HttpClient(checkedFake, disposeHandler: false);
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        (await http.GetAsync("http://together.fake/v1/fine-tunes")).Dispose();
        (await http.GetAsync($"http://together.fake/v1/fine-tunes/{job.Id}/events")).Dispose();
        checkedFake.AssertClean();
        Assert.Contains("GET /fine-tunes 200", checkedFake.Checked);
        Assert.Contains("GET /fine-tunes/{id}/events 200", checkedFake.Checked);
    }

    [Fact]
    public async Task Introspection_training_continues_from_the_instilled_model_with_from_checkpoint_and_no_model()
    {
        var fake = new FakeTogether(Key);
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var (train, val) = Files();
        var backend = Backend(Config(("itrain_n_epochs", "5")), checkedFake);
        string instilled = await backend.FineTuneAsync(Request(train, val), null, default);

        string itrained = await backend.FineTuneAsync(Request(train, null, from: instilled, name: "itrained_all"), null, default);

        checkedFake.AssertClean();
        var job = fake.Jobs.Values.Last();
        Assert.Equal(instilled, (string?)job.Body["from_checkpoint"]);
        Assert.False(job.Body.ContainsKey("model"));
        Assert.Equal(Base, job.Model); // Together continued the instilled job's base
        Assert.Equal(job.OutputName, itrained);
        Assert.False(job.Body.ContainsKey("n_evals")); // no validation file, no evaluations
    }

    [Fact]
    public async Task LoRA_sends_its_rank_and_alpha_even_when_not_given_and_full_sends_type_alone()
    {
        var fake = new FakeTogether(Key);
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var (train, _) = Files();
        await Backend(Config(), checkedFake).FineTuneAsync(Request(train, null), null, default);
        await Backend(Config(("lora", "false")), checkedFake).FineTuneAsync(Request(train, null), null, default);
        checkedFake.AssertClean();
        var bodies = fake.Jobs.Values.Select(j => j.Body["training_type"]).ToList();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"type":"Lora","lora_r":{{TogetherOptions.DefaultLoraRank}},"lora_alpha":{{TogetherOptions.DefaultLoraAlpha}}}"""), bodies[0]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"Full"}"""), bodies[1]));
    }

    [Theory]
    [InlineData("error")]
    [InlineData("user_error")]
    public async Task A_failed_job_names_the_job_its_status_and_Togethers_message(string status)
    {
        var fake = new FakeTogether(Key) { NextFailure = "Training file line 3: missing messages" };
        fake.FailNext(status);
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var (train, val) = Files();
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => Backend(Config(), checkedFake).FineTuneAsync(Request(train, val), null, default));
        checkedFake.AssertClean();
        var job = Assert.Single(fake.Jobs.Values);
        Assert.Contains($"Together fine-tuning job {job.Id} failed ({status}): Training file line 3: missing messages", e.Message);
        Assert.Equal(["pending", "queued", "running", status], job.Seen);
    }

    [Fact]
    public async Task A_status_in_neither_the_document_nor_the_SDK_is_named_and_stops_instead_of_looping()
    {
        // The fake alone: the contract check would (rightly) refuse to pass this status on.
        var fake = new FakeTogether(Key) { NextScript = ["pending", "paused_for_maintenance"] };
        var (train, val) = Files();
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => Backend(Config(), fake).FineTuneAsync(Request(train, val), null, default));
        Assert.Contains("status 'paused_for_maintenance' is in neither Together's document nor its SDK", e.Message);
        Assert.Equal(2, Assert.Single(fake.Jobs.Values).Seen.Count);
        var refused = Assert.Throws<ContractException>(() => ContractCheckedHandlerProbe.Answer(ApiDocument.Together, "GET", "/v1/fine-tunes/ft-1",
            """{"id":"ft-1","status":"paused_for_maintenance"}"""));
        Assert.Contains("status", refused.Message);
    }

    [Fact]
    public async Task A_cancelled_job_stops_the_fine_tune()
    {
        var fake = new FakeTogether(Key);
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var (train, val) = Files();
        var backend = Backend(Config(), checkedFake);
        var created = new TaskCompletionSource<string>();
        string? state = null;
        var run = backend.FineTuneAsync(Request(train, val, created: id =>
        {
            state = backend.FineTuning.CancelAsync(id, default).GetAwaiter().GetResult();
            created.SetResult(id);
        }), null, default);
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => run);
        checkedFake.AssertClean();
        Assert.Equal("cancel_requested", state);
        Assert.Contains($"{await created.Task} was cancelled", e.Message);
        Assert.Equal(["cancel_requested", "cancelled"], Assert.Single(fake.Jobs.Values).Seen);
        Assert.Contains("POST /fine-tunes/{id}/cancel 200", checkedFake.Checked);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("user_error")]
    [InlineData("cancelled")]
    public async Task A_restarted_run_reattaches_to_a_live_job_and_replaces_one_that_ended_without_a_model(string ended)
    {
        var fake = new FakeTogether(Key);
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var (train, val) = Files();
        using var kill = new CancellationTokenSource();
        string? recorded = null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Backend(Config(("poll_seconds", "0.05")), checkedFake)
            .FineTuneAsync(Request(train, val, created: id => { recorded = id; kill.Cancel(); }), null, kill.Token));
        int uploads = fake.Files.Count;

        var model = await Backend(Config(), checkedFake).FineTuneAsync(Request(train, val, existing: recorded), null, default);
        Assert.Single(fake.Jobs);
        Assert.Equal(uploads, fake.Files.Count);
        Assert.Equal(fake.Jobs[recorded!].OutputName, model);

        // The job ended without a model: one new job, not a loop of re-attaching to the dead one.
        fake.Jobs[recorded!].Script = ["pending", ended];
        fake.Jobs[recorded!].Step = 1;
        await Backend(Config(), checkedFake).FineTuneAsync(Request(train, val, existing: recorded), null, default);
        Assert.Equal(2, fake.Jobs.Count);
        checkedFake.AssertClean();
    }

    [Fact]
    public void The_key_comes_from_TOGETHER_API_KEY_only_and_the_default_URL_is_the_documents_server()
    {
        var e = Assert.Throws<UsageException>(() => OpenAIBackend.FromEnvironment(Config(), _ => null, null, new FakeTogether(Key)));
        Assert.Contains(TogetherOptions.ApiKeyVariable, e.Message);
        var bad = Assert.Throws<UsageException>(() => OpenAIBackend.FromEnvironment(Config(("lora_r", "6.5")), v => v == TogetherOptions.ApiKeyVariable ? Key : null, null));
        Assert.Contains("'lora_r'", bad.Message);
        Assert.Equal("https://api.together.ai/v1/", TogetherOptions.DefaultUrl.ToString());
        Assert.Contains("https://api.together.ai/v1", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "api-specs", "together", "openapi.yaml")));
    }
}
