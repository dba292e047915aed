namespace SelfInterp.Engine.Kernels;

/// <summary>Static round-robin split of independent work items over a fixed number of threads, so that each
/// output is always produced by the same sequential code and results do not depend on scheduling.</summary>
public static class Workers
{
    /// <summary>Elementwise work per worker below which a row kernel stays on one thread (tunable with
    /// SELFINTERP_MIN_PARALLEL_ELEMENTS, e.g. very large on a crowded machine where waking threads is slow).</summary>
    public static readonly int MinElementsPerWorker =
        int.TryParse(Environment.GetEnvironmentVariable("SELFINTERP_MIN_PARALLEL_ELEMENTS"), out var m) && m > 0 ? m : 1 << 15;

    public static void For(int items, int threads, Action<int, int> body)
    {
        int workers = Math.Max(1, Math.Min(threads, items));
        if (workers == 1)
        {
            for (int i = 0; i < items; i++) body(i, 0);
            return;
        }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            for (int i = w; i < items; i += workers) body(i, w);
        });
    }

    /// <summary>Splits [0, items) into one contiguous range per worker (better for streaming row kernels);
    /// body(start, end) runs once per range. Work below minItemsPerWorker per worker stays on this thread.</summary>
    public static void ForRange(int items, int threads, int minItemsPerWorker, Action<int, int> body)
    {
        int workers = Math.Max(1, Math.Min(threads, items / Math.Max(1, minItemsPerWorker)));
        if (workers == 1)
        {
            body(0, items);
            return;
        }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            body((int)((long)items * w / workers), (int)((long)items * (w + 1) / workers)));
    }
}
