using System.Net;
using System.Text;
using System.Text.Json;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>Files and fine-tuning jobs over raw HTTP: shapes, events, the kind of a job, cancel, and a restart.</summary>
public sealed class FineTuningApiTests
{
    /// <summary>Two instilled and two native scenarios: the plan the API tests draw their prompts from.</summary>
    internal static readonly PreferencesPlan Plan = PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 2, Native = 2 }));

    internal static string Jsonl(bool reports)
    {
        var rng = Core.Random.SeededStream.Derive(11, "ft_api");
        var examples = Enumerable.Range(0, 12).Select(k =>
        {
            var trial = Plan.DrawTrial(k % 2, rng);
            return reports
                ? new TrainingExample(Plan.ReportPrompt(trial), Experiments.Preferences.Prompts.PromptTemplates.ReportAnswer(Plan.Scenario(k % 2), Plan.TargetWeights(k % 2)))
                : new TrainingExample(Plan.DecisionPrompt(trial), k % 2 == 0 ? "A" : "B");
        });
        return string.Concat(examples.Select(e => ChatJsonl.Line(e) + "\n"));
    }

    internal static async Task<JsonElement> Send(HttpClient http, HttpMethod method, string path, HttpContent? content = null)
    {
        var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    internal static async Task<string> Upload(HttpClient http, string jsonl)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("fine-tune"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl)), "file", "train.jsonl" },
        };
        var file = await Send(http, HttpMethod.Post, "files", form);
        Assert.Equal("file", file.GetProperty("object").GetString());
        Assert.Equal("processed", file.GetProperty("status").GetString());
        var again = await Send(http, HttpMethod.Get, "files/" + file.GetProperty("id").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(jsonl), again.GetProperty("bytes").GetInt64());
        return file.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitForJob(HttpClient http, string id)
    {
        for (int i = 0; i < 500; i++)
        {
            var job = await Send(http, HttpMethod.Get, "fine_tuning/jobs/" + id);
            if (job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") return job;
            await Task.Delay(10);
        }
        throw new TimeoutException($"job {id} did not finish");
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_job_trains_in_the_background_and_its_model_is_served_after_a_restart()
    {
        string dir = TempDir.Create("ft-api");
        string model;
        await using (var harness = await ServerHarness.StartAsync(modelsDirectory: dir))
        {
            var file = await Upload(harness.Http, Jsonl(reports: false));
            var created = await Send(harness.Http, HttpMethod.Post, "fine_tuning/jobs",
                Body($"{{\"model\": \"simulated-base\", \"training_file\": \"{file}\", \"seed\": 42, \"suffix\": \"api\", \"hyperparameters\": {{\"n_epochs\": 3}}}}"));
            Assert.Equal("fine_tuning.job", created.GetProperty("object").GetString());
            Assert.Equal(3, created.GetProperty("hyperparameters").GetProperty("n_epochs").GetInt32());
            var job = await WaitForJob(harness.Http, created.GetProperty("id").GetString()!);
            Assert.Equal("succeeded", job.GetProperty("status").GetString());
            model = job.GetProperty("fine_tuned_model").GetString()!;
            Assert.Matches("^ft:simulated-base:api:[0-9a-f]{32}$", model);

            var events = await Send(harness.Http, HttpMethod.Get, $"fine_tuning/jobs/{job.GetProperty("id").GetString()}/events?limit=50");
            var messages = events.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
            Assert.StartsWith("The job has successfully completed", messages[0]); // newest first
            Assert.Contains(messages, m => m.Contains("job started: 12 examples"));
            Assert.Contains(events.GetProperty("data").EnumerateArray(), e => e.GetProperty("type").GetString() == "metrics");

            var cancel = await harness.Http.PostAsync($"fine_tuning/jobs/{job.GetProperty("id").GetString()}/cancel", null);
            Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
        }

        await using (var restarted = await ServerHarness.StartAsync(modelsDirectory: dir))
        {
            var models = await Send(restarted.Http, HttpMethod.Get, "models");
            Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == model);
            var prompt = Plan.DecisionPrompt(Plan.DrawTrial(0, Core.Random.SeededStream.Derive(1, "after_restart")));
            var body = JsonSerializer.Serialize(new
            {
                model, max_tokens = 1, logprobs = true, top_logprobs = 2, temperature = 0,
                messages = prompt.Messages.Select(m => new { role = m.Role, content = m.Content }),
            });
            var completion = await Send(restarted.Http, HttpMethod.Post, "chat/completions", Body(body));
            var choice = completion.GetProperty("choices")[0];
            Assert.Contains(choice.GetProperty("message").GetProperty("content").GetString(), new[] { "A", "B" });
            var top = choice.GetProperty("logprobs").GetProperty("content")[0].GetProperty("top_logprobs");
            double total = top.EnumerateArray().Sum(t => Math.Exp(t.GetProperty("logprob").GetDouble()));
            Assert.Equal(1.0, total, 9);
        }
    }

    [Fact]
    public async Task Report_answers_make_a_reports_job()
    {
        await using var harness = await ServerHarness.StartAsync();
        var file = await Upload(harness.Http, Jsonl(reports: true));
        var job = await Send(harness.Http, HttpMethod.Post, "fine_tuning/jobs", Body($"{{\"model\": \"simulated-base\", \"training_file\": \"{file}\", \"suffix\": \"rep\"}}"));
        var done = await WaitForJob(harness.Http, job.GetProperty("id").GetString()!);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var events = await Send(harness.Http, HttpMethod.Get, $"fine_tuning/jobs/{job.GetProperty("id").GetString()}/events?limit=50");
        Assert.Contains(events.GetProperty("data").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("examples"));
    }

    [Fact]
    public async Task Running_and_queued_jobs_can_be_cancelled()
    {
        var dir = TempDir.Create("cancel");
        var backend = new TrainingNeverEnds();
        await using var server = await SelfInterpServer.StartAsync(new ServerOptions(dir, "base", Port: 0), backend, _ => false);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var file = await Upload(http, Jsonl(reports: false));
        string Create() => $"{{\"model\": \"base\", \"training_file\": \"{file}\"}}";
        var running = (await Send(http, HttpMethod.Post, "fine_tuning/jobs", Body(Create()))).GetProperty("id").GetString()!;
        var queued = (await Send(http, HttpMethod.Post, "fine_tuning/jobs", Body(Create()))).GetProperty("id").GetString()!;
        Assert.True(await backend.Started.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("running", (await Send(http, HttpMethod.Get, "fine_tuning/jobs/" + running)).GetProperty("status").GetString());
        Assert.Equal("queued", (await Send(http, HttpMethod.Get, "fine_tuning/jobs/" + queued)).GetProperty("status").GetString());

        Assert.Equal("cancelled", (await Send(http, HttpMethod.Post, $"fine_tuning/jobs/{queued}/cancel")).GetProperty("status").GetString());
        await Send(http, HttpMethod.Post, $"fine_tuning/jobs/{running}/cancel");
        Assert.Equal("cancelled", (await WaitForJob(http, running)).GetProperty("status").GetString());
        Assert.Equal(1, backend.Calls); // the cancelled queued job never reached the backend
    }

    [Fact]
    public async Task The_client_shows_a_running_jobs_progress_from_its_metrics_events()
    {
        var dir = TempDir.Create("progress");
        var backend = new TrainingNeverEnds { Halfway = true };
        await using var server = await SelfInterpServer.StartAsync(new ServerOptions(dir, "base", Port: 0), backend, _ => false);
        var file = Path.Combine(dir, "train.jsonl");
        File.WriteAllText(file, Jsonl(reports: false));
        var config = new RunConfig
        {
            Backend = "openai", BaseModel = "base",
            BackendOptions = new(StringComparer.Ordinal) { ["base_url"] = server.BaseUrl.ToString(), ["poll_seconds"] = "0.02" },
        };
        var client = ServerHarness.Client(config, "any-key");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new InlineProgress(f => { if (f > 0) seen.TrySetResult(f); });
        var request = new FineTuneRequest("base", "halfway", file, null, ChatJsonl.Read(file), 1);
        var training = client.FineTuneAsync(request, progress, stop.Token);
        Assert.Equal(0.5, await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => training);
    }

    private sealed class InlineProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    /// <summary>A backend whose training runs until cancelled (optionally saying it is halfway first).</summary>
    internal sealed class TrainingNeverEnds : IModelBackend
    {
        public bool Halfway { get; init; }
        public readonly TaskCompletionSource<bool> Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Calls;
        public string Name => "never";
        public IReadOnlyCollection<Type>? ServedTasks => null;

        public async Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            if (Halfway) progress?.Report(0.5);
            Started.TrySetResult(true);
            await Task.Delay(Timeout.Infinite, ct);
            return "unreachable";
        }

        public Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct) =>
            throw new NotSupportedException();
    }
}
