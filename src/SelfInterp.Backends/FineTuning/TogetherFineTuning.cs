using System.Net.Http.Headers;
using System.Text.Json;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// Fine-tuning through Together's API: upload the JSONL files, create the job (or re-attach to the run's job), poll
/// it through pending, queued, running, compressing and uploading until completed, error or cancelled, and return
/// its output model name, which Together's OpenAI-compatible inference serves. Requests go through the same
/// <see cref="ResilientCaller"/> as the inference side: limits, timeouts, retries on 429 and 5xx.
/// </summary>
public sealed class TogetherFineTuning : IFineTuningProvider
{
    private static readonly HashSet<string> Running = ["pending", "queued", "running", "compressing", "uploading", "cancel_requested"];
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
            if (state is not null && state.Status is not ("error" or "cancelled"))
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
                case "error":
                    throw new OpenAIServiceException($"Together fine-tuning job {jobId} failed: {state.Error ?? await EventErrorAsync(jobId, ct) ?? "Together gave no reason"}", 200);
                case "cancelled":
                    throw new OpenAIServiceException($"Together fine-tuning job {jobId} was cancelled", 200);
            }
            if (!Running.Contains(state.Status))
                throw new OpenAIServiceException($"Together fine-tuning job {jobId}: unknown status '{state.Status}'", 200);
            await Task.Delay(_options.PollInterval, ct);
        }
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
                if ((Str(e, "type") ?? "").Contains("error", StringComparison.OrdinalIgnoreCase) || Str(e, "level") == "error")
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
