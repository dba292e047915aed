using System.Diagnostics;

namespace SelfInterp.Engine.Kernels;

/// <summary>Wall-clock totals per kernel of the training and inference passes (as in Llm.cs), collected while
/// enabled — by setting <see cref="Enabled"/> or SELFINTERP_PROFILE=1 — by the timed kernel decorator; the
/// passes pick the plain kernels when it is off, so profiling costs nothing then.</summary>
public static class KernelProfiler
{
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("SELFINTERP_PROFILE") == "1";
    static readonly Dictionary<string, (double Ms, long Calls)> Totals = new();

    /// <summary>For coarse phases outside the kernels (a training step's forward, backward, optimizer):
    /// a start time, then <see cref="Lap"/> books the time since it.</summary>
    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static long Lap(string phase, long start)
    {
        if (!Enabled) return 0;
        long now = Stopwatch.GetTimestamp();
        Book(phase, Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
        return now;
    }

    /// <summary>Adds one call of the kernel taking ms milliseconds.</summary>
    public static void Book(string kernel, double ms)
    {
        lock (Totals)
        {
            Totals.TryGetValue(kernel, out var t);
            Totals[kernel] = (t.Ms + ms, t.Calls + 1);
        }
    }

    public static IReadOnlyDictionary<string, (double Ms, long Calls)> Snapshot()
    {
        lock (Totals) return new Dictionary<string, (double, long)>(Totals);
    }

    public static void Reset()
    {
        lock (Totals) Totals.Clear();
    }
}
