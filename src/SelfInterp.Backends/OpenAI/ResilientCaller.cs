using System.ClientModel;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using SelfInterp.Core.Random;

namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// Every request to the service goes through here: at most <see cref="OpenAIBackendOptions.Concurrency"/> in
/// flight, started no faster than the requests-per-minute limit, each attempt bounded by a timeout, and retried
/// with exponential backoff and jitter (honouring Retry-After) on 429, 5xx, timeouts and dropped connections.
/// Any other 4xx fails at once with the service's message. The SDK's own retries are off so this is the only policy.
/// </summary>
public sealed class ResilientCaller
{
    private readonly SemaphoreSlim _inFlight;
    private readonly RequestPacer _pacer;
    private readonly ResiliencePipeline _retry, _timeout;
    private readonly UsageMeter _usage;

    public ResilientCaller(OpenAIBackendOptions options, UsageMeter usage, ulong jitterSeed)
    {
        _usage = usage;
        _inFlight = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        _pacer = new RequestPacer(options.RequestsPerMinute);
        var jitter = new SeededStream("openai_retry_jitter", jitterSeed);
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = Math.Max(options.MaxRetries, 0),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                Randomizer = () => { lock (jitter) return jitter.NextDouble(); },
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception, options.MaxRetryDelay)),
                OnRetry = _ => { _usage.Add(UsageMeter.Retries, 1); return ValueTask.CompletedTask; },
            })
            .Build();
        // The timeout bounds the request alone: waiting for a pacing slot is not the service being slow.
        _timeout = new ResiliencePipelineBuilder().AddTimeout(options.RequestTimeout).Build();
    }

    /// <summary>
    /// Runs one request under the limits. <paramref name="what"/> names it in errors ("chat completion for model X").
    /// </summary>
    public async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> request, CancellationToken ct)
    {
        await _inFlight.WaitAsync(ct);
        try
        {
            ct.ThrowIfCancellationRequested(); // the batch may have been abandoned while this one waited
            return await _retry.ExecuteAsync(async token =>
            {
                await _pacer.WaitAsync(token);
                _usage.Add(UsageMeter.Requests, 1);
                return await _timeout.ExecuteAsync(async t => await request(t), token);
            }, ct);
        }
        catch (ClientResultException e)
        {
            throw OpenAIServiceException.From(e, what);
        }
        catch (TimeoutRejectedException e)
        {
            throw new OpenAIServiceException($"{what}: no answer within the timeout, after every retry", 0, e);
        }
        catch (HttpRequestException e)
        {
            throw new OpenAIServiceException($"{what}: could not reach the service ({e.Message})", 0, e);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>Worth another try: throttling, a server fault, a timeout, or a connection that failed.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        ClientResultException c => c.Status is 0 or 408 or 409 or 429 or >= 500,
        OpenAIServiceException s => s.Status is 408 or 409 or 429 or >= 500, // raised by our own HTTP clients (Together)
        TimeoutRejectedException or HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>The service's Retry-After (seconds) when it sent one, capped; null lets Polly's backoff decide.</summary>
    private static TimeSpan? RetryAfter(Exception? e, TimeSpan cap)
    {
        if (e is not ClientResultException c || c.GetRawResponse() is not { } response) return null;
        if (response.Headers.TryGetValue("Retry-After", out var value)
            && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0)
            return TimeSpan.FromSeconds(Math.Min(seconds, cap.TotalSeconds));
        return null;
    }
}
