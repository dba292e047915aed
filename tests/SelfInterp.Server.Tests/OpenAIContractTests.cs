using System.Net.Http.Headers;
using System.Text;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Contracts;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>
/// SelfInterp's OpenAI client against `serve`, and every endpoint `serve` implements, through the contract check with
/// OpenAI's published document: what the client sends and what serve answers (errors included) are what the document
/// allows, so any OpenAI client works against serve and our client works against OpenAI.
/// </summary>
public sealed class OpenAIContractTests
{
    private static string TrainingFile(bool reports)
    {
        var plan = FineTuningApiTests.Plan;
        var rng = Core.Random.SeededStream.Derive(5, "contract");
        var lines = Enumerable.Range(0, 8).Select(k =>
        {
            var trial = plan.DrawTrial(k % 2, rng);
            var example = reports
                ? new TrainingExample(plan.ReportPrompt(trial), Experiments.Preferences.Prompts.PromptTemplates.ReportAnswer(plan.Scenario(k % 2), plan.TargetWeights(k % 2)))
                : new TrainingExample(plan.DecisionPrompt(trial), k % 2 == 0 ? "A" : "B");
            return ChatJsonl.Line(example) + "\n";
        });
        var path = Path.Combine(TempDir.Create("contract"), reports ? "itrain.jsonl" : "instill.jsonl");
        File.WriteAllText(path, string.Concat(lines));
        return path;
    }

    [Fact]
    public async Task The_client_and_every_serve_endpoint_keep_to_OpenAIs_document()
    {
        await using var harness = await ServerHarness.StartAsync();
        var checkedHandler = new ContractCheckedHandler(ApiDocument.OpenAI, new SocketsHttpHandler());
        var config = new RunConfig { Backend = "openai", BaseModel = "simulated-base", BackendOptions = harness.ClientOptions() };
        var backend = OpenAIBackend.FromEnvironment(config, v => v == OpenAIBackendOptions.ApiKeyVariable ? ServerHarness.ServerKey : null, null, checkedHandler);
        var plan = FineTuningApiTests.Plan;

        // Upload, create (instil, then continue from the instilled model), poll to the end: the client's own requests.
        string? jobId = null;
        string instilled = await backend.FineTuneAsync(new FineTuneRequest("simulated-base", "instilled", TrainingFile(false), TrainingFile(false), [], 7,
            JobCreated: id => jobId = id), null, default);
        string itrained = await backend.FineTuneAsync(new FineTuneRequest(instilled, "itrained_all", TrainingFile(true), null, [], 8), null, default);
        Assert.NotEqual(instilled, itrained);

        // Chat completions: choices with log-probabilities, and reports (samples: BehaviorThroughServeTests).
        var rng = Core.Random.SeededStream.Derive(5, "contract_trials");
        var decisions = Enumerable.Range(0, 4).Select(k => plan.DecisionPrompt(plan.DrawTrial(k % 2, rng))).ToList();
        var choices = await backend.ChooseAsync(instilled, decisions, null, default);
        Assert.All(choices, c => Assert.NotNull(c.ProbabilityA));
        await backend.CompleteAsync(itrained, [plan.ReportPrompt(plan.DrawTrial(0, rng))], 120, null, default);
        // A finished job cannot be cancelled (OpenAI answers 400 too): the error is checked against the document's error shape.
        var refused = await Assert.ThrowsAsync<OpenAIServiceException>(() => backend.FineTuning.CancelAsync(jobId!, default));
        Assert.Equal(400, refused.Status);

        // Every other endpoint serve implements, and its errors, by hand through the same check.
        using var http = new HttpClient(checkedHandler, disposeHandler: false) { BaseAddress = harness.Server.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServerHarness.ServerKey);
        foreach (var path in new[] { "models", $"models/{Uri.EscapeDataString(instilled)}", "files", "fine_tuning/jobs", "fine_tuning/jobs?limit=1",
                     $"fine_tuning/jobs/{jobId}", $"fine_tuning/jobs/{jobId}/events", "models/no-such-model", "fine_tuning/jobs/ftjob-none" })
            (await http.GetAsync(path)).Dispose();
        var fileId = System.Text.Json.JsonDocument.Parse(await (await http.GetAsync("files")).Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("id").GetString();
        (await http.GetAsync($"files/{fileId}")).Dispose();
        (await http.PostAsync("chat/completions", new StringContent("""{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"))).Dispose();

        checkedHandler.AssertClean();
        foreach (var exchange in new[] { "POST /files 200", "POST /fine_tuning/jobs 200", "GET /fine_tuning/jobs/{fine_tuning_job_id} 200",
                     "GET /fine_tuning/jobs 200", "GET /fine_tuning/jobs/{fine_tuning_job_id}/events 200",
                     "POST /chat/completions 200", "GET /models 200", "GET /models/{model} 200", "GET /files 200", "GET /files/{file_id} 200",
                     "GET /models/{model} 404", "POST /fine_tuning/jobs/{fine_tuning_job_id}/cancel 400", "GET /fine_tuning/jobs/{fine_tuning_job_id} 404", "POST /chat/completions 404" })
            Assert.Contains(exchange, checkedHandler.Checked);
    }

    /// <summary>A job cancelled while it runs and one cancelled while queued: serve's answers to the cancels and the
    /// jobs' last states. On a backend whose training never ends, so the jobs are surely still running and queued.</summary>
    [Fact]
    public async Task Cancelling_a_running_and_a_queued_job_keeps_to_OpenAIs_document()
    {
        var backend = new FineTuningApiTests.TrainingNeverEnds();
        await using var server = await SelfInterpServer.StartAsync(new ServerOptions(TempDir.Create("contract-cancel"), "base", Port: 0), backend, _ => false);
        var checkedHandler = new ContractCheckedHandler(ApiDocument.OpenAI, new SocketsHttpHandler());
        using var http = new HttpClient(checkedHandler, disposeHandler: false) { BaseAddress = server.BaseUrl };
        var file = await FineTuningApiTests.Upload(http, FineTuningApiTests.Jsonl(reports: false));
        async Task<string> Create() => (await FineTuningApiTests.Send(http, HttpMethod.Post, "fine_tuning/jobs",
            new StringContent($$"""{"model":"base","training_file":"{{file}}","seed":3}""", Encoding.UTF8, "application/json"))).GetProperty("id").GetString()!;
        string running = await Create(), queued = await Create();
        Assert.True(await backend.Started.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        foreach (var id in new[] { queued, running })
        {
            (await http.PostAsync($"fine_tuning/jobs/{id}/cancel", null)).Dispose();
            (await http.GetAsync($"fine_tuning/jobs/{id}")).Dispose();
        }
        checkedHandler.AssertClean();
        Assert.Contains("POST /fine_tuning/jobs/{fine_tuning_job_id}/cancel 200", checkedHandler.Checked);
    }
}
