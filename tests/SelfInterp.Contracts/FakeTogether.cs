using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SelfInterp.Contracts;

/// <summary>
/// Together's API as its published document describes it (../shared/api-specs/together/openapi.yaml), in process:
/// POST files/upload, POST fine-tunes (from a base model, or continuing a job's output with from_checkpoint), GET
/// fine-tunes and fine-tunes/{id} (each read of a job moves it one status on along its script), GET
/// fine-tunes/{id}/events, POST fine-tunes/{id}/cancel, GET models, GET fine-tunes/models/supported and
/// fine-tunes/models/limits, and chat completions with Together's log-probabilities (an integer logprobs asked; tokens,
/// token_logprobs and top_logprobs answered). Wrap it in <see cref="ContractCheckedHandler"/> and every answer is
/// checked against the document. It keeps every request, and outlives any one client (re-attach after a kill).
/// </summary>
public sealed class FakeTogether(string key) : HttpMessageHandler
{
    public static readonly string[] Lifecycle = ["pending", "queued", "running", "compressing", "uploading", "completed"];
    /// <summary>The base model the fake fine-tunes and serves: one whose LoRA fine-tunes Together serves serverless.</summary>
    public const string ServerlessBase = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";

    public sealed record Sent(string Method, string PathAndQuery, string? Authorization, string Body);
    public sealed class Job
    {
        public required string Id, Model, Suffix;
        public required JsonObject Body;
        public required string[] Script;
        public int Step;
        public bool Cancel;
        public string? FailureMessage;
        public List<string> Seen { get; } = [];
        public string Status => Cancel ? (Seen.Count > 0 && Seen[^1] == "cancel_requested" ? "cancelled" : "cancel_requested")
            : Script[Math.Min(Step, Script.Length - 1)];
        public string OutputName => $"fakeorg/{Model.Split('/')[^1]}-{Suffix}-{Id[3..7]}";
    }

    public List<Sent> Requests { get; } = [];
    public Dictionary<string, (string Name, byte[] Content, string Purpose)> Files { get; } = [];
    public Dictionary<string, Job> Jobs { get; } = [];
    /// <summary>The statuses the next job goes through, one per read; then the default lifecycle again.</summary>
    public string[]? NextScript { get; set; }
    /// <summary>The message of the next job's failure event (with a script that ends in error or user_error).</summary>
    public string NextFailure { get; set; } = "Training failed: CUDA out of memory at step 12";
    /// <summary>Answer this many requests with 429 first (a rate limit the client must ride out).</summary>
    public int ThrottleNext { get; set; }
    /// <summary>The base model the fake serves and fine-tunes.</summary>
    public string BaseModel { get; init; } = ServerlessBase;
    /// <summary>Models Together fine-tunes (fine-tunes/models/supported).</summary>
    public List<string> FineTunable { get; init; } = [ServerlessBase, "Qwen/Qwen2.5-7B-Instruct"];
    /// <summary>Models whose limits allow LoRA; the others only full training.</summary>
    public HashSet<string> LoraModels { get; init; } = [ServerlessBase, "Qwen/Qwen2.5-7B-Instruct"];
    /// <summary>Answer choices with log-probabilities in a shape no client knows (under "values"): the document allows it.</summary>
    public bool UnknownLogprobShape { get; set; }
    /// <summary>P(A) the served models answer with (the letter is the likelier one).</summary>
    public double ProbabilityA { get; set; } = 0.7;

    public void FailNext(string status = "error") => NextScript = ["pending", "queued", "running", status];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        string path = request.RequestUri!.AbsolutePath;
        var (_, parsed) = await ContractCheckedHandler.RequestBody(request.Content, ct);
        string body = parsed?.ToJsonString() ?? "";
        lock (Requests) Requests.Add(new Sent(request.Method.Method, request.RequestUri.PathAndQuery, request.Headers.Authorization?.ToString(), body));
        if (request.Headers.Authorization?.ToString() != $"Bearer {key}") return Error(HttpStatusCode.Unauthorized, "Invalid API key provided", "invalid_api_key");
        lock (Jobs)
        {
            if (ThrottleNext > 0) { ThrottleNext--; return Error(HttpStatusCode.TooManyRequests, "rate limit exceeded", "rate_limit"); }
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[1..]; // after v1
            string method = request.Method.Method;
            switch (method, parts)
            {
                case ("POST", ["files", "upload"]): return Upload(parsed!.AsObject(), ContractCheckedHandler.FormFields(request.Content!, ct).Result);
                case ("POST", ["fine-tunes"]): return Create(parsed!.AsObject());
                case ("GET", ["fine-tunes"]): return Ok(new JsonObject { ["data"] = new JsonArray(Jobs.Values.Select(j => (JsonNode)Truncated(j)).ToArray()) });
                case ("GET", ["models"]): return Ok(new JsonArray(Served().Select(m => (JsonNode)new JsonObject
                    { ["id"] = m, ["object"] = "model", ["created"] = 1715021438, ["type"] = "chat", ["display_name"] = m }).ToArray()));
                case ("GET", ["fine-tunes", "models", "supported"]): return Ok(new JsonObject { ["models"] = new JsonArray(FineTunable.Select(m => (JsonNode)m).ToArray()) });
                case ("GET", ["fine-tunes", "models", "limits"]): return Limits(Query(request.RequestUri, "model_name"));
                case ("POST", ["chat", "completions"]): return Chat(parsed!.AsObject());
                case (_, ["fine-tunes", var id, ..]):
                    if (!Jobs.TryGetValue(id, out var job)) return Error(HttpStatusCode.NotFound, $"fine-tune job {id} not found", "not_found");
                    switch (method, parts.Length > 2 ? parts[2] : null)
                    {
                        case ("GET", null):
                            var answer = Ok(Full(job));
                            job.Seen.Add(job.Status);
                            job.Step++;
                            return answer;
                        case ("GET", "events"): return Ok(new JsonObject { ["data"] = Events(job) });
                        case ("POST", "cancel"): job.Cancel = true; return Ok(Truncated(job));
                    }
                    break;
            }
        }
        return Error(HttpStatusCode.NotFound, $"no route {request.Method} {path}", "not_found");
    }

    private static string? Query(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")).FirstOrDefault();

    /// <summary>The base model and every completed job's output model (serverless LoRA).</summary>
    private IEnumerable<string> Served() => Jobs.Values.Where(j => j.Status == "completed").Select(j => j.OutputName).Prepend(BaseModel);

    private HttpResponseMessage Upload(JsonObject fields, Dictionary<string, (byte[] Value, bool IsFile)> parts)
    {
        string purpose = (string)fields["purpose"]!;
        if (purpose != "fine-tune") return Error(HttpStatusCode.BadRequest, $"invalid purpose {purpose}", "invalid_request_error");
        var content = parts.Values.First(p => p.IsFile).Value;
        var id = $"file-{Files.Count + 1:D4}";
        string name = (string)fields["file_name"]!;
        Files[id] = (name, content, purpose);
        return Ok(new JsonObject
        {
            ["id"] = id, ["object"] = "file", ["created_at"] = 1715021438, ["filename"] = name, ["bytes"] = content.Length,
            ["purpose"] = purpose, ["FileType"] = "jsonl", ["Processed"] = true,
        });
    }

    private HttpResponseMessage Create(JsonObject body)
    {
        string? model = (string?)body["model"], from = (string?)body["from_checkpoint"];
        // The official SDK's rule: a job starts from a model or from a checkpoint, never both.
        if ((model is null) == (from is null)) return Error(HttpStatusCode.BadRequest, "give either model or from_checkpoint, not both", "invalid_request_error");
        if (from is not null)
        {
            string source = from.Split(':')[0];
            var parent = Jobs.Values.FirstOrDefault(j => j.Status == "completed" && (j.Id == source || j.OutputName == source));
            if (parent is null) return Error(HttpStatusCode.BadRequest, $"checkpoint {from} not found", "invalid_request_error");
            model = parent.Model;
        }
        if ((string?)body["training_file"] is not { } training || !Files.ContainsKey(training))
            return Error(HttpStatusCode.BadRequest, $"training_file {body["training_file"]} does not exist", "invalid_request_error");
        var id = $"ft-{Jobs.Count + 1:D4}-fake";
        var job = new Job
        {
            Id = id, Model = model!, Suffix = (string?)body["suffix"] ?? "", Body = body, Script = NextScript ?? Lifecycle,
            FailureMessage = NextScript is null ? null : NextFailure,
        };
        NextScript = null;
        Jobs[id] = job;
        return Ok(Truncated(job));
    }

    private HttpResponseMessage Limits(string? model)
    {
        if (model is null || !FineTunable.Contains(model))
            return new HttpResponseMessage(HttpStatusCode.NotFound)
            { Content = Json(new JsonObject { ["message"] = $"model {model} is not available for fine-tuning" }) };
        var limits = new JsonObject
        {
            ["model_name"] = model, ["max_num_epochs"] = 20, ["max_num_evals"] = 100, ["max_learning_rate"] = 1.0, ["min_learning_rate"] = 1e-8,
            ["supports_vision"] = false, ["supports_tools"] = false, ["supports_reasoning"] = false, ["merge_output_lora"] = false,
            ["full_training"] = new JsonObject { ["max_batch_size"] = 96, ["max_batch_size_dpo"] = 48, ["min_batch_size"] = 8 },
        };
        if (LoraModels.Contains(model))
            limits["lora_training"] = new JsonObject
            {
                ["max_batch_size"] = 128, ["max_batch_size_dpo"] = 64, ["min_batch_size"] = 8, ["max_rank"] = 64,
                ["target_modules"] = new JsonArray("q_proj", "k_proj", "v_proj", "o_proj"),
            };
        return Ok(limits);
    }

    /// <summary>Inference on a model that answers A with <see cref="ProbabilityA"/>, and a report that is no report.
    /// Only the models it serves answer.</summary>
    private HttpResponseMessage Chat(JsonObject body)
    {
        string model = (string)body["model"]!;
        if (!Served().Contains(model)) return Error(HttpStatusCode.NotFound, $"model {model} not found", "model_not_available");
        bool choice = (int?)body["max_tokens"] == 1;
        int n = (int?)body["n"] ?? 1;
        int top = (int?)body["logprobs"] ?? 0;
        double la = Math.Log(ProbabilityA), lb = Math.Log(1 - ProbabilityA);
        string letter = ProbabilityA >= 0.5 ? "A" : "B";
        JsonNode? Logprobs() => !choice || top == 0 ? null
            : UnknownLogprobShape ? new JsonObject { ["values"] = new JsonArray(new JsonObject { ["A"] = la }) }
            : new JsonObject
            {
                ["tokens"] = new JsonArray(letter), ["token_logprobs"] = new JsonArray(Math.Max(la, lb)), ["token_ids"] = new JsonArray(32),
                ["top_logprobs"] = new JsonObject { ["A"] = la, ["B"] = lb },
            };
        return Ok(new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1715021438, ["model"] = model, ["prompt"] = new JsonArray(),
            ["choices"] = new JsonArray(Enumerable.Range(0, n).Select(i => (JsonNode)new JsonObject
            {
                ["index"] = i, ["finish_reason"] = "stop", ["logprobs"] = Logprobs(),
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = choice ? letter : "I like all of them." },
            }).ToArray()),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 1, ["total_tokens"] = 11 },
        });
    }

    private static JsonObject Truncated(Job job)
    {
        var o = new JsonObject
        {
            ["id"] = job.Id, ["status"] = job.Status, ["model"] = job.Model, ["created_at"] = "2026-11-29T15:00:00.000Z",
            ["updated_at"] = "2026-11-29T15:05:00.000Z", ["training_file"] = job.Body["training_file"]!.DeepClone(), ["suffix"] = job.Suffix,
        };
        if (job.Body["from_checkpoint"] is { } from) o["from_checkpoint"] = from.DeepClone();
        if (job.Status == "completed") o["model_output_name"] = job.OutputName;
        return o;
    }

    private static JsonObject Full(Job job)
    {
        var o = Truncated(job);
        o.Remove("suffix");
        o["events"] = Events(job);
        return o;
    }

    private static JsonArray Events(Job job)
    {
        JsonObject Event(string type, string level, string message) => new()
        {
            ["object"] = "fine-tune-event", ["created_at"] = "2026-11-29T15:00:00.000Z", ["level"] = level, ["message"] = message, ["type"] = type,
            ["param_count"] = 0, ["token_count"] = 0, ["total_steps"] = 0, ["wandb_url"] = "", ["step"] = 0, ["checkpoint_path"] = "",
            ["model_path"] = "", ["training_offset"] = 0, ["hash"] = "",
        };
        var events = new JsonArray { Event("job_pending", "info", "Fine tune request created") };
        if (job.Status is "error" or "user_error") events.Add(Event("job_error", "error", job.FailureMessage ?? "failed"));
        return events;
    }

    private static StringContent Json(JsonNode json) => new(json.ToJsonString(), Encoding.UTF8, "application/json");
    private static HttpResponseMessage Ok(JsonNode json) => new(HttpStatusCode.OK) { Content = Json(json) };

    private static HttpResponseMessage Error(HttpStatusCode status, string message, string type) => new(status)
    {
        Content = Json(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type } }),
    };
}
