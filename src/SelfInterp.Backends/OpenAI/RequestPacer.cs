namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// A requests-per-minute limit: each request takes the next free start slot, slots spaced 60/rpm seconds apart,
/// so requests start evenly rather than in bursts that a service's own limiter would answer with 429s.
/// </summary>
public sealed class RequestPacer(double requestsPerMinute, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _interval = requestsPerMinute > 0 ? TimeSpan.FromMinutes(1 / requestsPerMinute) : TimeSpan.Zero;
    private readonly object _gate = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public async Task WaitAsync(CancellationToken ct)
    {
        if (_interval == TimeSpan.Zero) return;
        DateTimeOffset slot;
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            slot = _next > now ? _next : now;
            _next = slot + _interval;
        }
        var wait = slot - now;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct);
    }
}
