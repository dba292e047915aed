using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;

namespace SelfInterp.Server;

/// <summary>
/// Trains queued jobs one at a time, in order, through the backend's FineTuneAsync, recording events as it
/// goes; a job's model is servable once it succeeds. A job that throws ends failed with the exception's message.
/// </summary>
public sealed class FineTuningWorker(ServerStore store, IModelBackend backend, BackendGate gate) : BackgroundService
{
    /// <summary>Progress events are written in steps of this many hundredths.</summary>
    private const int TotalSteps = 100;

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    public void Enqueue(string jobId) => _queue.Writer.TryWrite(jobId);

    /// <summary>Cancels a queued or running job; false if it had already finished.</summary>
    public bool Cancel(string jobId)
    {
        bool changed = store.WithJob(jobId, j =>
        {
            if (j.Finished) return false;
            if (j.Status != "running") { j.Status = "cancelled"; j.FinishedAt = store.Now; }
            return true;
        }, save: true);
        if (!changed) return false;
        if (_running.TryGetValue(jobId, out var cts)) cts.Cancel();
        else store.AddEvent(jobId, "Job cancelled");
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var jobId in _queue.Reader.ReadAllAsync(stoppingToken))
                await TrainAsync(jobId, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task TrainAsync(string jobId, CancellationToken stoppingToken)
    {
        var request = store.WithJob(jobId, j => j.Status == "queued" ? j : null);
        if (request is null) return; // cancelled while queued
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[jobId] = cts;
        try
        {
            var (fineTune, examples) = Prepare(request);
            store.WithJob(jobId, j => j.Status = "running", save: true);
            store.AddEvent(jobId, $"Fine-tuning job started: {examples} examples, {fineTune.Kind.ToString().ToLowerInvariant()}");
            int lastStep = -1;
            var progress = new SynchronousProgress(f =>
            {
                int step = (int)Math.Round(Math.Clamp(f, 0, 1) * TotalSteps);
                if (step == lastStep) return;
                lastStep = step;
                store.AddEvent(jobId, $"Step {step}/{TotalSteps}", type: "metrics", step: step, totalSteps: TotalSteps);
            });
            string model;
            using (await gate.EnterAsync(cts.Token))
                model = await backend.FineTuneAsync(fineTune, progress, cts.Token);
            store.AddModel(model, fineTune.BaseModel);
            store.WithJob(jobId, j =>
            {
                j.Status = "succeeded";
                j.FineTunedModel = model;
                j.FinishedAt = store.Now;
                j.TrainedTokens = fineTune.Examples.Sum(e => TokenCount.Approximate(e.Prompt.Messages.Select(m => m.Content).Append(e.Answer)));
                return true;
            }, save: true);
            store.AddEvent(jobId, $"New fine-tuned model created: {model}");
            store.AddEvent(jobId, "The job has successfully completed");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            store.WithJob(jobId, j => { j.Status = "cancelled"; j.FinishedAt = store.Now; return true; }, save: true);
            store.AddEvent(jobId, "Job cancelled");
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            store.WithJob(jobId, j =>
            {
                j.Status = "failed";
                j.ErrorCode = "training_failed";
                j.ErrorMessage = e.Message;
                j.FinishedAt = store.Now;
                return true;
            }, save: true);
            store.AddEvent(jobId, $"Fine-tuning job failed: {e.Message}", level: "error");
        }
        finally
        {
            _running.TryRemove(jobId, out _);
        }
    }

    /// <summary>The backend's request for a job: examples from its uploaded files, kind from its answers.</summary>
    private (FineTuneRequest Request, int Examples) Prepare(StoredJob job)
    {
        var training = store.FindFile(job.TrainingFile)!;
        var validation = job.ValidationFile is null ? null : store.FindFile(job.ValidationFile);
        var examples = ChatJsonl.Read(training.Path);
        var request = new FineTuneRequest(
            job.Model, job.Suffix ?? job.Id, KindOf(examples), training.Path, validation?.Path, examples, job.Seed);
        return (request, examples.Count);
    }

    /// <summary>Decisions when every answer is a single letter A or B; otherwise reports.</summary>
    public static FineTuneKind KindOf(IReadOnlyList<TrainingExample> examples) =>
        examples.All(e => e.Answer.Trim() is "A" or "B") ? FineTuneKind.Decisions : FineTuneKind.Reports;

    /// <summary>Progress reported on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
