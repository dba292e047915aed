#pragma warning disable OPENAI001 // the fine-tuning client is marked experimental in OpenAI 2.x; we use its protocol methods
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Files;
using OpenAI.FineTuning;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// Fine-tuning through the service: upload the JSONL files, create the job (or re-attach to the run's job),
/// poll it until it ends, and return the model id. The JSON goes through the SDK's protocol methods, so every
/// field the API takes (seed, suffix, method.supervised.hyperparameters) is sent as written here.
/// </summary>
public sealed class FineTuningJobs(OpenAIFileClient files, FineTuningClient jobs, ResilientCaller caller, OpenAIBackendOptions options, UsageMeter usage)
    : IFineTuningProvider
{
    public string Name => FineTuneProviders.OpenAI;

    /// <summary>
    /// OpenAI takes a job seed that fits a signed 32-bit integer; ours are 64-bit. Reducing modulo 10^9 keeps the
    /// last nine decimal digits, so a backend that names models by the seed's low digits (the simulated one,
    /// behind `serve`) names them the same as in-process.
    /// </summary>
    public static long WireSeed(ulong seed) => (long)(seed % 1_000_000_000UL);

    public async Task<string> RunAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
    {
        if (request.ExistingJobId is { } existing)
        {
            var state = await GetJobAsync(existing, ct);
            if (state is not null && state.Status is not ("failed" or "cancelled"))
                return await WaitAsync(existing, progress, ct);
            // The job is gone (a restarted server) or ended without a model: the run needs a new one.
        }
        string jobId = await CreateAsync(request, ct);
        request.JobCreated?.Invoke(jobId);
        return await WaitAsync(jobId, progress, ct);
    }

    private async Task<string> CreateAsync(FineTuneRequest request, CancellationToken ct)
    {
        string training = await UploadAsync(request.TrainingFile, ct);
        string? validation = request.ValidationFile is null ? null : await UploadAsync(request.ValidationFile, ct);
        var body = new JsonObject
        {
            ["model"] = request.BaseModel,
            ["training_file"] = training,
            ["seed"] = WireSeed(request.Seed),
            ["suffix"] = request.Name,
        };
        if (validation is not null) body["validation_file"] = validation;
        var hyper = new JsonObject();
        if (options.Epochs is int e) hyper["n_epochs"] = e;
        if (options.BatchSize is int b) hyper["batch_size"] = b;
        if (options.LearningRateMultiplier is double lr) hyper["learning_rate_multiplier"] = lr;
        if (hyper.Count > 0)
            body["method"] = new JsonObject { ["type"] = "supervised", ["supervised"] = new JsonObject { ["hyperparameters"] = hyper } };

        JsonDocument created;
        try
        {
            created = await caller.CallAsync($"creating the fine-tuning job for {request.Name}", async token =>
            {
                var job = await jobs.FineTuneAsync(BinaryContent.Create(BinaryData.FromString(body.ToJsonString())), waitUntilCompleted: false,
                    new RequestOptions { CancellationToken = token });
                return JsonDocument.Parse(job.GetRawResponse().Content.ToMemory());
            }, ct);
        }
        catch (OpenAIServiceException refused) when (ShutdownRefusal.Matches(refused))
        {
            throw ShutdownRefusal.Explain(refused, request.BaseModel);
        }
        using var _ = created;
        usage.Add(UsageMeter.FineTuningJobs, 1);
        usage.Flush();
        return created.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!
            : throw new OpenAIServiceException($"creating the fine-tuning job for {request.Name}: the answer has no job id", 200);
    }

    public async Task<string> CancelAsync(string jobId, CancellationToken ct)
    {
        await caller.CallAsync($"cancelling fine-tuning job {jobId}", async token =>
        {
            var job = await FineTuningJob.RehydrateAsync(jobs, jobId, new RequestOptions { CancellationToken = token });
            return await job.CancelAsync(new RequestOptions { CancellationToken = token });
        }, ct);
        return (await GetJobAsync(jobId, ct))?.Status ?? "unknown";
    }

    private async Task<string> UploadAsync(string path, CancellationToken ct)
    {
        var bytes = BinaryData.FromBytes(await File.ReadAllBytesAsync(path, ct));
        var file = await caller.CallAsync($"uploading {Path.GetFileName(path)}", async token =>
        {
            using var stream = bytes.ToStream();
            return (await files.UploadFileAsync(stream, Path.GetFileName(path), FileUploadPurpose.FineTune, token)).Value;
        }, ct);
        usage.Add(UsageMeter.FilesUploaded, 1);
        return file.Id;
    }

    private sealed record JobState(string Status, string? Model, string? Error, long? TrainedTokens);

    /// <summary>The job's state, or null if the service does not know the job.</summary>
    private async Task<JobState?> GetJobAsync(string jobId, CancellationToken ct)
    {
        try
        {
            using var doc = await caller.CallAsync($"reading fine-tuning job {jobId}", async token =>
            {
                var result = await jobs.GetJobAsync(jobId, token);
                return JsonDocument.Parse(result.GetRawResponse().Content.ToMemory());
            }, ct);
            var root = doc.RootElement;
            string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            string? error = root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object ? Str(err, "message") : null;
            long? trained = root.TryGetProperty("trained_tokens", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : null;
            return new JobState(Str(root, "status") ?? "unknown", Str(root, "fine_tuned_model"), error, trained);
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
                ?? throw new OpenAIServiceException($"fine-tuning job {jobId}: the service no longer knows this job", 404);
            switch (state.Status)
            {
                case "succeeded":
                    if (state.TrainedTokens is long tokens)
                    {
                        usage.Add(UsageMeter.TrainedTokens, tokens);
                        if (options.TrainingPricePerMillion is double price) usage.Add(UsageMeter.CostUsd, tokens * price / 1e6);
                    }
                    usage.Flush();
                    progress?.Report(1);
                    return state.Model ?? throw new OpenAIServiceException($"fine-tuning job {jobId} succeeded but names no model", 200);
                case "failed":
                    usage.Flush();
                    throw new OpenAIServiceException($"fine-tuning job {jobId} failed: {state.Error ?? "the service gave no reason"}", 200);
                case "cancelled":
                    usage.Flush();
                    throw new OpenAIServiceException($"fine-tuning job {jobId} was cancelled", 200);
            }
            if (await LatestStepAsync(jobId, ct) is double fraction) progress?.Report(fraction);
            await Task.Delay(options.PollInterval, ct);
        }
    }

    /// <summary>
    /// step / total_steps from the newest metrics event, where the service sends them. Best effort: a service
    /// without job events still trains, so a refused events request only costs the progress bar.
    /// </summary>
    private async Task<double?> LatestStepAsync(string jobId, CancellationToken ct)
    {
        JsonDocument page;
        try { page = await EventsPageAsync(jobId, ct); }
        catch (OpenAIServiceException) { return null; }
        using (page)
        {
            if (!page.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
            foreach (var e in data.EnumerateArray())
                if (e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                    && d.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number
                    && d.TryGetProperty("total_steps", out var total) && total.ValueKind == JsonValueKind.Number && total.GetDouble() > 0)
                    return Math.Clamp(step.GetDouble() / total.GetDouble(), 0, 1);
            return null;
        }
    }

    private Task<JsonDocument> EventsPageAsync(string jobId, CancellationToken ct) =>
        caller.CallAsync($"reading events of fine-tuning job {jobId}", async token =>
        {
            var job = await FineTuningJob.RehydrateAsync(jobs, jobId, new RequestOptions { CancellationToken = token });
            await foreach (var raw in job.GetEventsAsync(null, 10, new RequestOptions { CancellationToken = token }).GetRawPagesAsync())
                return JsonDocument.Parse(raw.GetRawResponse().Content.ToMemory());
            return JsonDocument.Parse("{}");
        }, ct);
}
