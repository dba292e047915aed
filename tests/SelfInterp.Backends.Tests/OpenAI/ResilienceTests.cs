using System.ClientModel;
using System.Diagnostics;
using SelfInterp.Backends.OpenAI;

namespace SelfInterp.Backends.Tests.OpenAI;

public sealed class ResilienceTests
{
    private static OpenAIBackendOptions Fast(int retries = 5) => new()
    {
        MaxRetries = retries, RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5), RequestsPerMinute = 0,
    };

    [Fact]
    public async Task Transient_failures_are_retried_and_counted()
    {
        var usage = new UsageMeter(null);
        var caller = new ResilientCaller(Fast(), usage, 1);
        int attempts = 0;
        int result = await caller.CallAsync("test", _ =>
        {
            if (++attempts < 3) throw new HttpRequestException("connection reset");
            return Task.FromResult(42);
        }, CancellationToken.None);
        Assert.Equal(42, result);
        Assert.Equal(3, attempts);
        Assert.Equal(2, usage.Totals[UsageMeter.Retries]);
        Assert.Equal(3, usage.Totals[UsageMeter.Requests]);
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_error_is_named()
    {
        var caller = new ResilientCaller(Fast(retries: 2), new UsageMeter(null), 1);
        int attempts = 0;
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => caller.CallAsync<int>("chat completion for model 'm'",
            _ => { attempts++; throw new HttpRequestException("refused"); }, CancellationToken.None));
        Assert.Equal(3, attempts);
        Assert.Contains("chat completion for model 'm'", e.Message);
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public async Task Other_errors_are_not_retried()
    {
        var caller = new ResilientCaller(Fast(), new UsageMeter(null), 1);
        int attempts = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => caller.CallAsync<int>("x", _ => { attempts++; throw new InvalidOperationException(); }, CancellationToken.None));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public void Only_throttling_server_faults_and_transport_errors_are_transient()
    {
        Assert.True(ResilientCaller.IsTransient(new ClientResultException("no response"))); // status 0: nothing came back
        Assert.True(ResilientCaller.IsTransient(new Polly.Timeout.TimeoutRejectedException()));
        Assert.False(ResilientCaller.IsTransient(new ArgumentException()));
    }

    [Fact]
    public async Task Concurrency_is_bounded()
    {
        var caller = new ResilientCaller(Fast() with { Concurrency = 3 }, new UsageMeter(null), 1);
        int inFlight = 0, peak = 0;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => caller.CallAsync("x", async token =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            // Stay in flight until the bound is reached (or briefly, for the last calls), so that a loaded machine
            // starting the calls slowly cannot make the peak look lower than the bound.
            for (int waited = 0; Volatile.Read(ref inFlight) < 3 && waited < 500; waited += 5) await Task.Delay(5, token);
            InterlockedMax(ref peak, Volatile.Read(ref inFlight));
            await Task.Delay(5, token);
            Interlocked.Decrement(ref inFlight);
            return 0;
        }, CancellationToken.None)));
        Assert.Equal(3, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public async Task The_pacer_spaces_request_starts()
    {
        var pacer = new RequestPacer(requestsPerMinute: 600); // one start every 100 ms
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 4; i++) await pacer.WaitAsync(CancellationToken.None);
        Assert.True(clock.ElapsedMilliseconds >= 290, $"4 starts took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Usage_flushes_hand_over_what_accrued_since_the_last_flush()
    {
        var seen = new List<IReadOnlyDictionary<string, double>>();
        var usage = new UsageMeter(seen.Add);
        usage.Add(UsageMeter.PromptTokens, 10);
        usage.Flush();
        usage.Flush(); // nothing new: no call
        usage.Add(UsageMeter.PromptTokens, 5);
        usage.Flush();
        Assert.Equal(2, seen.Count);
        Assert.Equal(10, seen[0][UsageMeter.PromptTokens]);
        Assert.Equal(5, seen[1][UsageMeter.PromptTokens]);
        Assert.Equal(15, usage.Totals[UsageMeter.PromptTokens]);
    }
}
