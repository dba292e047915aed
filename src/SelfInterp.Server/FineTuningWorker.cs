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
        // Queued: cancelled here and now. Running: the worker's token is cancelled and the worker records the end.
        var state = store.WithJob(jobId, j =>
        {
            if (j.Finished) return "finished";
            if (j.Status == "running") return "running";
            j.Status = "cancelled";
            j.FinishedAt = store.Now;
            return "queued";
        }, save: true);
        switch (state)
        {
            case "running":
                if (_running.TryGetValue(jobId, out var cts)) cts.Cancel();
                return true;
            case "queued":
                store.AddEvent(jobId, "Job cancelled");
                return true;
            default:
                return false;
        }
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
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[jobId] = cts; // before the job shows as running, so a cancel always finds its token
        try
        {
            // queued -> running in one step under the store's lock: a cancel sees one state or the other.
            var job = store.WithJob(jobId, j =>
            {
                if (j.Status != "queued") return null;
                j.Status = "running";
                return j;
            }, save: true);
            if (job is null) return; // cancelled while queued
            var (fineTune, examples) = Prepare(job);
            store.AddEvent(jobId, $"Fine-tuning job started: {examples} examples");
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
            // Events first, then the status: a client that sees the job finished also sees its closing events.
            store.AddEvent(jobId, $"New fine-tuned model created: {model}");
            store.AddEvent(jobId, "The job has successfully completed");
            store.WithJob(jobId, j =>
            {
                j.Status = "succeeded";
                j.FineTunedModel = model;
                j.FinishedAt = store.Now;
                j.TrainedTokens = fineTune.Examples.Sum(e => TokenCount.Approximate(e.Prompt.Messages.Select(m => m.Content).Append(e.Answer)));
                return true;
            }, save: true);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            store.AddEvent(jobId, "Job cancelled");
            store.WithJob(jobId, j => { j.Status = "cancelled"; j.FinishedAt = store.Now; return true; }, save: true);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            store.AddEvent(jobId, $"Fine-tuning job failed: {e.Message}", level: "error");
            store.WithJob(jobId, j =>
            {
                j.Status = "failed";
                j.ErrorCode = "training_failed";
                j.ErrorMessage = e.Message;
                j.FinishedAt = store.Now;
                return true;
            }, save: true);
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
            job.Model, job.Suffix ?? job.Id, training.Path, validation?.Path, examples, job.Seed);
        return (request, examples.Count);
    }

    /// <summary>Progress reported on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
