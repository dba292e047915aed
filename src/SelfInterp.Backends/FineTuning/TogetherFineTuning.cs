using System.Net.Http.Headers;
using System.Text.Json;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// Fine-tuning through Together's API: upload the JSONL files, create the job (or re-attach to the run's job), poll
/// it through the statuses of Together's document and SDK until it ends, and return its output model name, which
/// Together's OpenAI-compatible inference serves. Requests go through the same <see cref="ResilientCaller"/> as the
/// inference side: limits, timeouts, retries on 429 and 5xx.
/// </summary>
public sealed class TogetherFineTuning : IFineTuningProvider
{
    /// <summary>Still on the way (the document's FinetuneJobStatus).</summary>
    public static readonly IReadOnlySet<string> Running = new HashSet<string> { "pending", "queued", "running", "compressing", "uploading", "cancel_requested" };
    /// <summary>Ended without a model: the document's error and cancelled, and user_error of Together's SDK (a fault in
    /// what was sent, e.g. the training file). A run that finds its job here needs a new one.</summary>
    public static readonly IReadOnlySet<string> Failed = new HashSet<string> { "error", "user_error", "cancelled" };
    private readonly HttpClient _http;
    private readonly TogetherOptions _options;
    private readonly ResilientCaller _caller;
    private readonly UsageMeter _usage;

    /// <param name="apiKey">Held by the HTTP client's default header only; never stored elsewhere, logged or saved.</param>
    /// <param name="handler">The HTTP stack: null for the network, a fake in tests.</param>
    public TogetherFineTuning(TogetherOptions options, string apiKey, ResilientCaller caller, UsageMeter usage, HttpMessageHandler? handler = null)
    {
        _options = options;
        _caller = caller;
        _usage = usage;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = options.Url;
        _http.Timeout = Timeout.InfiniteTimeSpan; // the caller's timeout bounds each attempt
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public string Name => FineTuneProviders.Together;

    public async Task<string> RunAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
    {
        if (request.ExistingJobId is { } existing)
        {
            var state = await GetJobAsync(existing, ct);
            if (state is not null && !Failed.Contains(state.Status))
                return await WaitAsync(existing, progress, ct);
            // Together no longer knows the job, or it ended without a model: the run needs a new one.
        }
        string training = await UploadAsync(request.TrainingFile, ct);
        string? validation = request.ValidationFile is null ? null : await UploadAsync(request.ValidationFile, ct);
        var body = TogetherRequests.CreateBody(request, training, validation, _options);
        using var created = await SendAsync($"creating the Together fine-tuning job for {request.Name}", () => TogetherRequests.Create(body), ct);
        string jobId = Str(created.RootElement, "id")
            ?? throw new OpenAIServiceException($"creating the Together fine-tuning job for {request.Name}: the answer has no job id", 200);
        _usage.Add(UsageMeter.FineTuningJobs, 1);
        _usage.Flush();
        request.JobCreated?.Invoke(jobId);
        return await WaitAsync(jobId, progress, ct);
    }

    public async Task<string> CancelAsync(string jobId, CancellationToken ct)
    {
        using var doc = await SendAsync($"cancelling Together fine-tuning job {jobId}", () => TogetherRequests.Cancel(jobId), ct);
        return Str(doc.RootElement, "status") ?? "unknown";
    }

    private async Task<string> UploadAsync(string path, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(path, ct);
        using var doc = await SendAsync($"uploading {Path.GetFileName(path)} to Together", () => TogetherRequests.Upload(path, bytes), ct);
        _usage.Add(UsageMeter.FilesUploaded, 1);
        return Str(doc.RootElement, "id") ?? throw new OpenAIServiceException($"uploading {Path.GetFileName(path)} to Together: the answer has no file id", 200);
    }

    private sealed record JobState(string Status, string? Model, string? Error);

    /// <summary>The job's state, or null if Together does not know the job.</summary>
    private async Task<JobState?> GetJobAsync(string jobId, CancellationToken ct)
    {
        try
        {
            using var doc = await SendAsync($"reading Together fine-tuning job {jobId}", () => TogetherRequests.Get(jobId), ct);
            var root = doc.RootElement;
            return new JobState(Str(root, "status") ?? "unknown", Str(root, "model_output_name") ?? Str(root, "output_name"), ErrorEvent(root));
        }
        catch (OpenAIServiceException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private async Task<string> WaitAsync(string jobId, IProgress<double>? progress, CancellationToken ct)
    {
        while (true)
        {
            var state = await GetJobAsync(jobId, ct)
                ?? throw new OpenAIServiceException($"Together fine-tuning job {jobId}: Together no longer knows this job", 404);
            switch (state.Status)
            {
                case "completed":
                    progress?.Report(1);
                    return state.Model ?? throw new OpenAIServiceException($"Together fine-tuning job {jobId} completed but names no output model", 200);
                case "cancelled":
                    throw new OpenAIServiceException($"Together fine-tuning job {jobId} was cancelled; the same command creates a new job", 200);
                case "error" or "user_error":
                    string reason = state.Error ?? await EventErrorAsync(jobId, ct) ?? "Together gave no reason";
                    throw new OpenAIServiceException($"Together fine-tuning job {jobId} failed ({state.Status}): {reason}" +
                        (state.Status == "user_error" ? " — Together found a fault in what was sent (the training file or an option); fix it, then the same command creates a new job" : "; the same command creates a new job"), 200);
            }
            if (!Running.Contains(state.Status))
                throw new OpenAIServiceException($"Together fine-tuning job {jobId}: status '{state.Status}' is in neither Together's document nor its SDK; " +
                    "look at the job in Together's dashboard, cancel it if it is stuck, then run the same command again", 200);
            await Task.Delay(_options.PollInterval, ct);
        }
    }

    /// <summary>
    /// Before paying: asks Together whether it fine-tunes the base model with the chosen method and options, and
    /// whether the fine-tunes can be served the way the run will ask them (<see cref="TogetherPreflight"/>).
    /// </summary>
    public async Task<TogetherPreflight.Findings> PreflightAsync(bool ownInference, CancellationToken ct)
    {
        using var supported = await SendAsync("listing the models Together fine-tunes", TogetherRequests.SupportedModels, ct);
        JsonDocument? limits = null;
        try
        {
            limits = await SendAsync($"reading Together's fine-tuning limits of {_options.BaseModel}", () => TogetherRequests.ModelLimits(_options.BaseModel), ct);
        }
        catch (OpenAIServiceException e) when (e.Status == 404) { }
        using var served = await SendAsync("listing the models Together serves", TogetherRequests.Models, ct);
        using (limits)
            return TogetherPreflight.Check(_options, supported.RootElement, limits?.RootElement, served.RootElement, ownInference);
    }

    /// <summary>The last error event's message from the job's event list, where the job itself carried none.</summary>
    private async Task<string?> EventErrorAsync(string jobId, CancellationToken ct)
    {
        try
        {
            using var doc = await SendAsync($"reading events of Together fine-tuning job {jobId}", () => TogetherRequests.Events(jobId), ct);
            return ErrorEvent(doc.RootElement);
        }
        catch (OpenAIServiceException) { return null; }
    }

    /// <summary>The message of the last event whose type or level says error, in a job (events) or an event list (data).</summary>
    private static string? ErrorEvent(JsonElement root)
    {
        string? found = null;
        foreach (var name in new[] { "events", "data" })
        {
            if (!root.TryGetProperty(name, out var events) || events.ValueKind != JsonValueKind.Array) continue;
            foreach (var e in events.EnumerateArray())
                if ((Str(e, "type") ?? "").Contains("error", StringComparison.OrdinalIgnoreCase) || string.Equals(Str(e, "level"), "error", StringComparison.OrdinalIgnoreCase))
                    found = Str(e, "message") ?? found;
        }
        return found;
    }

    /// <summary>One request under the caller's limits; a refusal becomes an error in Together's words.</summary>
    private Task<JsonDocument> SendAsync(string what, Func<HttpRequestMessage> make, CancellationToken ct) =>
        _caller.CallAsync(what, async token =>
        {
            using var request = make();
            using var response = await _http.SendAsync(request, token);
            var text = await response.Content.ReadAsStringAsync(token);
            int status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                throw new OpenAIServiceException(status == 401
                    ? $"{what}: the API key was rejected (HTTP 401: {ServiceError(text)}); check {TogetherOptions.ApiKeyVariable}"
                    : $"{what}: HTTP {status}: {ServiceError(text)}", status);
            try { return JsonDocument.Parse(text); }
            catch (JsonException) { throw new OpenAIServiceException($"{what}: the answer is not JSON", status); }
        }, ct);

    /// <summary>error.message (or message) from an error body; else the body itself, shortened.</summary>
    private static string ServiceError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && Str(e, "message") is { } m) return m;
                if (Str(root, "message") is { } m2) return m2;
                if (Str(root, "error") is { } m3) return m3;
            }
        }
        catch (JsonException) { }
        return body.Length > 200 ? body[..200] + "…" : body;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
