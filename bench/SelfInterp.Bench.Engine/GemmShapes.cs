using System.Runtime.CompilerServices;
using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Bench.Engine;

/// <summary>Runs a list of GEMM shapes on random pinned operands: the GEMM's own speed at a step's sizes.</summary>
public sealed unsafe class GemmShapes
{
    readonly IGemm _gemm;
    readonly List<(int M, int N, int K, bool TA, bool TB)> _shapes;
    readonly float[] _a, _b, _c;
    public double Flops => FlopCount.Gemm(_shapes);
    public IGemm Gemm => _gemm;

    public GemmShapes(IGemm gemm, List<(int M, int N, int K, bool TA, bool TB)> shapes)
    {
        _gemm = gemm;
        _shapes = shapes;
        long max = shapes.Max(s => Math.Max((long)s.M * s.K, Math.Max((long)s.K * s.N, (long)s.M * s.N)));
        var rng = new Rng(3, "gemm-data");
        _a = GC.AllocateArray<float>((int)max, pinned: true);
        _b = GC.AllocateArray<float>((int)max, pinned: true);
        _c = GC.AllocateArray<float>((int)max, pinned: true);
        for (int i = 0; i < max; i++) { _a[i] = (float)rng.NextGaussian(); _b[i] = (float)rng.NextGaussian(); }
    }

    public void Run()
    {
        float* a = (float*)Unsafe.AsPointer(ref _a[0]), b = (float*)Unsafe.AsPointer(ref _b[0]), c = (float*)Unsafe.AsPointer(ref _c[0]);
        foreach (var (m, n, k, ta, tb) in _shapes)
            _gemm.Multiply(a, ta ? m : k, ta, b, tb ? k : n, tb, m, n, k, 1f, 0f, c, n);
    }
}
