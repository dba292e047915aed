using System.Diagnostics;
using SelfInterp.Engine.Gemm;

namespace SelfInterp.Bench.Engine;

/// <summary>Wraps a GEMM and accumulates the time and FLOPs spent inside it, to split a training step's time.</summary>
public sealed unsafe class TimedGemm(IGemm inner) : IGemm
{
    public TimeSpan Elapsed { get; private set; }
    public double Flops { get; private set; }
    public string Name => inner.Name;
    public bool SameOnEveryCpu => inner.SameOnEveryCpu;
    public IGemm Inner => inner;

    public void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB, int m, int n, int k, float alpha, float beta, float* c, int ldc)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Multiply(a, lda, transA, b, ldb, transB, m, n, k, alpha, beta, c, ldc);
        Elapsed += Stopwatch.GetElapsedTime(start);
        Flops += 2.0 * m * n * k;
    }

    public void Reset() { Elapsed = TimeSpan.Zero; Flops = 0; }
}
