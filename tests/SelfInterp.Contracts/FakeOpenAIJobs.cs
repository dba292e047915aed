using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SelfInterp.Contracts;

/// <summary>
/// OpenAI's files and fine-tuning jobs API as its published document describes them, in process: POST files, POST
/// fine_tuning/jobs (or a refusal of it with a given status and message), GET fine_tuning/jobs/{id} moving the job one
/// status on per read along its script (validating_files, queued, running, then succeeded, failed or cancelled), its
/// events, and cancel. Wrap it in <see cref="ContractCheckedHandler"/> and every answer is checked against the document.
/// </summary>
public sealed class FakeOpenAIJobs : HttpMessageHandler
{
    public static readonly string[] Lifecycle = ["validating_files", "queued", "running", "succeeded"];

    public sealed class Job
    {
        public required string Id, Model, TrainingFile;
        public required JsonObject Body;
        public required string[] Script;
        public int Step;
        public bool Cancelled;
        public List<string> Seen { get; } = [];
        public string Status => Cancelled ? "cancelled" : Script[Math.Min(Step, Script.Length - 1)];
    }

    public Dictionary<string, Job> Jobs { get; } = [];
    public int Files { get; private set; }
    /// <summary>The statuses of the next job, one per read.</summary>
    public string[]? NextScript { get; set; }
    /// <summary>Refuse job creation with this HTTP status and message (OpenAI's error body).</summary>
    public (int Status, string Message)? RefuseCreation { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var parts = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[1..];
        var (_, body) = await ContractCheckedHandler.RequestBody(request.Content, ct);
        lock (Jobs)
            switch (request.Method.Method, parts)
            {
                case ("POST", ["files"]):
                    Files++;
                    return Ok(new JsonObject
                    {
                        ["id"] = $"file-{Files:D3}", ["object"] = "file", ["bytes"] = 10, ["created_at"] = 1715021438, ["filename"] = "instill.jsonl",
                        ["purpose"] = "fine-tune", ["status"] = "processed",
                    });
                case ("POST", ["fine_tuning", "jobs"]):
                    if (RefuseCreation is { } refusal) return Error(refusal.Status, refusal.Message);
                    var o = body!.AsObject();
                    var job = new Job
                    {
                        Id = $"ftjob-{Jobs.Count + 1:D3}", Model = (string)o["model"]!, TrainingFile = (string)o["training_file"]!, Body = o,
                        Script = NextScript ?? Lifecycle,
                    };
                    NextScript = null;
                    Jobs[job.Id] = job;
                    return Ok(Render(job));
                case (_, ["fine_tuning", "jobs", var id, ..]):
                    if (!Jobs.TryGetValue(id, out var j)) return Error(404, $"No such fine-tuning job: {id}");
                    switch (request.Method.Method, parts.Length > 3 ? parts[3] : null)
                    {
                        case ("GET", null):
                            var answer = Ok(Render(j));
                            j.Seen.Add(j.Status);
                            j.Step++;
                            return answer;
                        case ("GET", "events"):
                            return Ok(new JsonObject { ["object"] = "list", ["data"] = new JsonArray(), ["has_more"] = false });
                        case ("POST", "cancel"):
                            j.Cancelled = true;
                            return Ok(Render(j));
                    }
                    break;
            }
        return Error(404, $"no route {request.Method} {request.RequestUri.AbsolutePath}");
    }

    private static JsonObject Render(Job j) => new()
    {
        ["object"] = "fine_tuning.job", ["id"] = j.Id, ["model"] = j.Model, ["created_at"] = 1715021438, ["organization_id"] = "org-fake",
        ["status"] = j.Status, ["training_file"] = j.TrainingFile, ["validation_file"] = null, ["result_files"] = new JsonArray(),
        ["hyperparameters"] = new JsonObject { ["n_epochs"] = 3, ["batch_size"] = 1, ["learning_rate_multiplier"] = 1.8 },
        ["seed"] = (long?)j.Body["seed"] ?? 0,
        ["fine_tuned_model"] = j.Status == "succeeded" ? $"ft:{j.Model}:org:{(string?)j.Body["suffix"]}:{j.Id[6..]}" : null,
        ["finished_at"] = j.Status is "succeeded" or "failed" or "cancelled" ? 1715025038 : null,
        ["trained_tokens"] = j.Status == "succeeded" ? 12345 : null,
        ["error"] = j.Status == "failed" ? new JsonObject { ["code"] = "invalid_training_file", ["message"] = "line 3 has no messages", ["param"] = "training_file" } : null,
    };

    private static HttpResponseMessage Ok(JsonNode json) => new(HttpStatusCode.OK) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Error(int status, string message) => new((HttpStatusCode)status)
    {
        Content = new StringContent(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = null, ["code"] = null },
        }.ToJsonString(), Encoding.UTF8, "application/json"),
    };
}
