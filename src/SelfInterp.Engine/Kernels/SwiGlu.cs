using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>SwiGLU gate: out = silu(gate)·up, where each input row is [gate (hidden) | up (hidden)].</summary>
public static unsafe class SwiGlu
{
    public static void Forward(float* gateUp, int n, int hidden, float* output, int threads)
    {
        Workers.ForRange(n, threads, Math.Max(1, Workers.MinElementsPerWorker / hidden), (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                var g = new ReadOnlySpan<float>(gateUp + (long)i * 2 * hidden, hidden);
                var u = new ReadOnlySpan<float>(gateUp + (long)i * 2 * hidden + hidden, hidden);
                var y = new Span<float>(output + (long)i * hidden, hidden);
                FixedMath.Sigmoid(g, y);
                TensorPrimitives.Multiply(y, g, y);
                TensorPrimitives.Multiply(y, u, y);
            }
        });
    }

    /// <summary>Writes dgateUp (overwrites) from doutput.</summary>
    public static void Backward(float* doutput, float* gateUp, int n, int hidden, float* dgateUp, int threads)
    {
        Workers.ForRange(n, threads, Math.Max(1, Workers.MinElementsPerWorker / hidden), (start, end) =>
        {
            Span<float> t = stackalloc float[hidden];
            for (int i = start; i < end; i++)
            {
                float* g = gateUp + (long)i * 2 * hidden, u = g + hidden;
                float* dg = dgateUp + (long)i * 2 * hidden, du = dg + hidden;
                var dy = new ReadOnlySpan<float>(doutput + (long)i * hidden, hidden);
                var gs = new ReadOnlySpan<float>(g, hidden);
                var us = new ReadOnlySpan<float>(u, hidden);
                var sig = new Span<float>(dg, hidden);
                var silu = new Span<float>(du, hidden);
                // s = σ(g); silu = g·s; du = dy·silu; dg = dy·u·(s + silu·(1 − s))
                FixedMath.Sigmoid(gs, sig);
                TensorPrimitives.Multiply(gs, sig, silu);
                TensorPrimitives.Subtract(1f, sig, t);
                TensorPrimitives.FusedMultiplyAdd(silu, t, sig, t);
                TensorPrimitives.Multiply(t, us, t);
                TensorPrimitives.Multiply(t, dy, sig);
                TensorPrimitives.Multiply(silu, dy, silu);
            }
        });
    }
}
