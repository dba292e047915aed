using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>
/// Together's fine-tuning API as its reference documents it, in process: POST files/upload (multipart: purpose,
/// file_name, file_type, file), POST fine-tunes, GET fine-tunes/{id} (each read moves a job one status on: pending,
/// queued, running, compressing, uploading, completed; or to error with a job_error event), GET fine-tunes/{id}/events,
/// POST fine-tunes/{id}/cancel (cancel_requested, then cancelled). Errors as {"error": {"message": ...}}.
/// It keeps every request it was sent, and outlives any one client (re-attach after a kill).
/// </summary>
public sealed class FakeTogether(string key) : HttpMessageHandler
{
    public static readonly string[] Lifecycle = ["pending", "queued", "running", "compressing", "uploading", "completed"];

    public sealed record Sent(string Method, string Path, string? Authorization, string Body);
    public sealed class Job
    {
        public required string Id, Model, Suffix;
        public required JsonObject Body;
        public int Step;
        public bool Cancel, Fail;
        public List<string> Seen { get; } = [];
        public string Status => Cancel ? (Seen.Count > 0 && Seen[^1] == "cancel_requested" ? "cancelled" : "cancel_requested")
            : Fail && Step >= 3 ? "error" : Lifecycle[Math.Min(Step, Lifecycle.Length - 1)];
    }

    public List<Sent> Requests { get; } = [];
    public Dictionary<string, (string Name, byte[] Content, string Purpose)> Files { get; } = [];
    public Dictionary<string, Job> Jobs { get; } = [];
    /// <summary>The next job created fails with a job_error event.</summary>
    public bool FailNext { get; set; }
    /// <summary>Answer this many requests with 429 first (a rate limit the client must ride out).</summary>
    public int ThrottleNext { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        string path = request.RequestUri!.AbsolutePath;
        string body = request.Content is MultipartFormDataContent ? "<multipart>" : request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
        lock (Requests) Requests.Add(new Sent(request.Method.Method, path, request.Headers.Authorization?.ToString(), body));
        if (request.Headers.Authorization?.ToString() != $"Bearer {key}") return Error(HttpStatusCode.Unauthorized, "Invalid API key provided");
        if (ThrottleNext > 0) { ThrottleNext--; return Error(HttpStatusCode.TooManyRequests, "rate limit exceeded"); }
        lock (Jobs)
        {
            if (request.Method == HttpMethod.Post && path == "/v1/files/upload") return Upload((MultipartFormDataContent)request.Content!);
            if (request.Method == HttpMethod.Post && path == "/v1/fine-tunes") return Create(body);
            if (request.Method == HttpMethod.Post && path == "/v1/chat/completions") return Chat(body);
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries); // v1 fine-tunes {id} [events|cancel]
            if (parts.Length >= 3 && parts[1] == "fine-tunes")
            {
                if (!Jobs.TryGetValue(parts[2], out var job)) return Error(HttpStatusCode.NotFound, $"fine-tune job {parts[2]} not found");
                if (parts.Length == 3 && request.Method == HttpMethod.Get)
                {
                    var answer = Ok(Render(job));
                    job.Seen.Add(job.Status);
                    job.Step++;
                    return answer;
                }
                if (parts.Length == 4 && parts[3] == "events") return Ok(new JsonObject { ["data"] = Events(job) });
                if (parts.Length == 4 && parts[3] == "cancel" && request.Method == HttpMethod.Post) { job.Cancel = true; return Ok(Render(job)); }
            }
        }
        return Error(HttpStatusCode.NotFound, $"no route {request.Method} {path}");
    }

    private HttpResponseMessage Upload(MultipartFormDataContent form)
    {
        var fields = new Dictionary<string, HttpContent>();
        foreach (var part in form) fields[part.Headers.ContentDisposition!.Name!.Trim('"')] = part;
        foreach (var required in new[] { "purpose", "file_name", "file" })
            if (!fields.ContainsKey(required)) return Error(HttpStatusCode.BadRequest, $"missing field {required}");
        string purpose = fields["purpose"].ReadAsStringAsync().Result;
        if (purpose != "fine-tune") return Error(HttpStatusCode.BadRequest, $"invalid purpose {purpose}");
        var id = $"file-{Files.Count + 1:D4}";
        var content = fields["file"].ReadAsByteArrayAsync().Result;
        string name = fields["file_name"].ReadAsStringAsync().Result;
        Files[id] = (name, content, purpose);
        return Ok(new JsonObject { ["id"] = id, ["object"] = "file", ["created_at"] = 1715021438, ["filename"] = name, ["bytes"] = content.Length, ["purpose"] = purpose });
    }

    private HttpResponseMessage Create(string text)
    {
        var body = JsonNode.Parse(text)!.AsObject();
        if (body["model"]?.GetValue<string>() is not { } model) return Error(HttpStatusCode.BadRequest, "model is required");
        if (body["training_file"]?.GetValue<string>() is not { } training || !Files.ContainsKey(training))
            return Error(HttpStatusCode.BadRequest, $"training_file {body["training_file"]} does not exist");
        var id = $"ft-{Jobs.Count + 1:D4}-fake";
        var job = new Job { Id = id, Model = model, Suffix = body["suffix"]?.GetValue<string>() ?? "", Body = body, Fail = FailNext };
        FailNext = false;
        Jobs[id] = job;
        return Ok(Render(job));
    }

    /// <summary>Together's OpenAI-compatible inference, as a model that learned nothing: always "A" (P(A) 0.5), and a
    /// report that is no report. Only the models it knows are served.</summary>
    private HttpResponseMessage Chat(string text)
    {
        var body = JsonNode.Parse(text)!.AsObject();
        string model = body["model"]!.GetValue<string>();
        if (model != BaseModel && !Jobs.Values.Any(j => j.Status == "completed" && (string?)Render(j)["model_output_name"] == model))
            return Error(HttpStatusCode.NotFound, $"model {model} not found");
        bool choice = (int?)body["max_tokens"] == 1 || (int?)body["max_completion_tokens"] == 1;
        var logprobs = choice
            ? JsonNode.Parse("""{"content":[{"token":"A","logprob":-0.6931,"bytes":null,"top_logprobs":[{"token":"A","logprob":-0.6931,"bytes":null},{"token":"B","logprob":-0.6931,"bytes":null}]}]}""")
            : null;
        return Ok(new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1715021438, ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["finish_reason"] = "stop", ["logprobs"] = logprobs,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = choice ? "A" : "I like all of them." },
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 1, ["total_tokens"] = 11 },
        });
    }

    /// <summary>The base model the fake serves for inference.</summary>
    public string BaseModel { get; init; } = "Qwen/Qwen2.5-7B-Instruct";

    private static JsonObject Render(Job job)
    {
        var o = new JsonObject
        {
            ["id"] = job.Id, ["status"] = job.Status, ["model"] = job.Model, ["created_at"] = "2026-11-29T15:00:00.000Z",
            ["training_file"] = job.Body["training_file"]!.DeepClone(), ["events"] = Events(job),
        };
        if (job.Status == "completed") o["model_output_name"] = $"fakeorg/{job.Model.Split('/')[^1]}-{job.Suffix}-{job.Id[3..7]}";
        return o;
    }

    private static JsonArray Events(Job job)
    {
        var events = new JsonArray { new JsonObject { ["object"] = "fine-tune-event", ["type"] = "job_pending", ["message"] = "Fine tune request created" } };
        if (job.Status == "error") events.Add(new JsonObject { ["object"] = "fine-tune-event", ["type"] = "job_error", ["message"] = "Training failed: CUDA out of memory at step 12" });
        return events;
    }

    private static HttpResponseMessage Ok(JsonNode json) => new(HttpStatusCode.OK) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Error(HttpStatusCode status, string message) => new(status)
    {
        Content = new StringContent(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error" } }.ToJsonString(), Encoding.UTF8, "application/json"),
    };
}
