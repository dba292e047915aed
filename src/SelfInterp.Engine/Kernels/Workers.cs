namespace SelfInterp.Engine.Kernels;

/// <summary>Static round-robin split of independent work items over a fixed number of threads, so that each
/// output is always produced by the same sequential code and results do not depend on scheduling.</summary>
public static class Workers
{
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
}
