using System.Threading.Channels;
using SelfInterp.Core.Backends;

namespace SelfInterp.Server;

/// <summary>
/// Feeds concurrent HTTP requests to the backend in batches: requests waiting while the backend is busy are
/// gathered (up to the batch size) and sent as one call per model and kind, so a backend that shares work
/// across a batch gets to. One backend call runs at a time (<see cref="BackendGate"/>): backends need not be
/// thread-safe. If a batch fails, its prompts are retried one by one, so one bad prompt fails only its request.
/// </summary>
public sealed class BackendDispatcher : IAsyncDisposable
{
    private abstract record Call(string Model, ChatPrompt Prompt)
    {
        public abstract object Key { get; }
    }

    private sealed record ChooseCall(string Model, ChatPrompt Prompt) : Call(Model, Prompt)
    {
        public readonly TaskCompletionSource<Choice> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override object Key => ("choose", Model);
    }

    private sealed record CompleteCall(string Model, ChatPrompt Prompt, int MaxTokens) : Call(Model, Prompt)
    {
        public readonly TaskCompletionSource<string> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override object Key => ("complete", Model, MaxTokens);
    }

    private sealed record SampleCall(string Model, ChatPrompt Prompt, Sampling Sampling) : Call(Model, Prompt)
    {
        public readonly TaskCompletionSource<IReadOnlyList<string>> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override object Key => ("sample", Model, Sampling);
    }

    private readonly IModelBackend _backend;
    private readonly BackendGate _gate;
    private readonly int _batchSize;
    private readonly Channel<Call> _queue = Channel.CreateUnbounded<Call>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public BackendDispatcher(IModelBackend backend, BackendGate gate, int batchSize)
    {
        _backend = backend;
        _gate = gate;
        _batchSize = Math.Max(1, batchSize);
        _loop = Task.Run(LoopAsync);
    }

    public Task<Choice> ChooseAsync(string model, ChatPrompt prompt)
    {
        var call = new ChooseCall(model, prompt);
        Enqueue(call);
        return call.Result.Task;
    }

    public Task<string> CompleteAsync(string model, ChatPrompt prompt, int maxTokens)
    {
        var call = new CompleteCall(model, prompt, maxTokens);
        Enqueue(call);
        return call.Result.Task;
    }

    public Task<IReadOnlyList<string>> SampleAsync(string model, ChatPrompt prompt, Sampling sampling)
    {
        var call = new SampleCall(model, prompt, sampling);
        Enqueue(call);
        return call.Result.Task;
    }

    private void Enqueue(Call call)
    {
        if (!_queue.Writer.TryWrite(call)) throw new ApiError(503, "the server is shutting down", "server_error");
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var batch = new List<Call>();
                while (batch.Count < _batchSize && reader.TryRead(out var call)) batch.Add(call);
                foreach (var group in batch.GroupBy(c => c.Key))
                    await RunAsync(group.ToList());
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        // Whatever is still queued at shutdown gets an answer rather than a hang.
        while (reader.TryRead(out var left)) Fail(left, new ApiError(503, "the server is shutting down", "server_error"));
    }

    private async Task RunAsync(List<Call> calls)
    {
        try
        {
            await InvokeAsync(calls);
        }
        catch (Exception) when (calls.Count > 1)
        {
            foreach (var call in calls)
            {
                try { await InvokeAsync([call]); }
                catch (Exception e) { Fail(call, e); }
            }
        }
        catch (Exception e)
        {
            Fail(calls[0], e);
        }
    }

    private async Task InvokeAsync(List<Call> calls)
    {
        var prompts = calls.Select(c => c.Prompt).ToList();
        string model = calls[0].Model;
        using var _ = await _gate.EnterAsync(_stop.Token);
        if (calls[0] is SampleCall sampled)
        {
            var replies = await _backend.SampleAsync(model, prompts, sampled.Sampling, null, _stop.Token);
            for (int i = 0; i < calls.Count; i++) ((SampleCall)calls[i]).Result.TrySetResult(replies[i]);
        }
        else if (calls[0] is CompleteCall first)
        {
            var replies = await _backend.CompleteAsync(model, prompts, first.MaxTokens, null, _stop.Token);
            for (int i = 0; i < calls.Count; i++) ((CompleteCall)calls[i]).Result.TrySetResult(replies[i]);
        }
        else
        {
            var choices = await _backend.ChooseAsync(model, prompts, null, _stop.Token);
            for (int i = 0; i < calls.Count; i++) ((ChooseCall)calls[i]).Result.TrySetResult(choices[i]);
        }
    }

    private static void Fail(Call call, Exception e)
    {
        switch (call)
        {
            case ChooseCall c: c.Result.TrySetException(e); break;
            case CompleteCall c: c.Result.TrySetException(e); break;
            case SampleCall c: c.Result.TrySetException(e); break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

/// <summary>One backend call at a time, shared by inference and the fine-tuning worker.</summary>
public sealed class BackendGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _semaphore.WaitAsync(ct);
        return new Release(_semaphore);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) semaphore.Release();
        }
    }
}
