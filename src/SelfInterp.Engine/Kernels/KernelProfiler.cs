using System.Diagnostics;

namespace SelfInterp.Engine.Kernels;

/// <summary>Wall-clock time per kernel in the training passes (as in Llm.cs), on when enabled — by setting
/// <see cref="Enabled"/> or SELFINTERP_PROFILE=1; costs one branch per kernel call when off.</summary>
public static class KernelProfiler
{
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("SELFINTERP_PROFILE") == "1";
    static readonly Dictionary<string, (double Ms, long Calls)> Totals = new();

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Books the time since start to the kernel; returns the new start for the next lap.</summary>
    public static long Lap(string kernel, long start)
    {
        if (!Enabled) return 0;
        long now = Stopwatch.GetTimestamp();
        double ms = Stopwatch.GetElapsedTime(start, now).TotalMilliseconds;
        lock (Totals)
        {
            Totals.TryGetValue(kernel, out var t);
            Totals[kernel] = (t.Ms + ms, t.Calls + 1);
        }
        return now;
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
