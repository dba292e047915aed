using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>SwiGLU gate: out = silu(gate)·up, where each input row is [gate (hidden) | up (hidden)].</summary>
public static unsafe class SwiGlu
{
    public static void Forward(float* gateUp, int n, int hidden, float* output, int threads)
    {
        Workers.For(n, threads, (i, _) =>
        {
            var g = new ReadOnlySpan<float>(gateUp + (long)i * 2 * hidden, hidden);
            var u = new ReadOnlySpan<float>(gateUp + (long)i * 2 * hidden + hidden, hidden);
            var y = new Span<float>(output + (long)i * hidden, hidden);
            TensorPrimitives.Sigmoid(g, y);
            TensorPrimitives.Multiply(y, g, y);
            TensorPrimitives.Multiply(y, u, y);
        });
    }

    /// <summary>Writes dgateUp (overwrites) from doutput.</summary>
    public static void Backward(float* doutput, float* gateUp, int n, int hidden, float* dgateUp, int threads)
    {
        Workers.For(n, threads, (i, _) =>
        {
            float* g = gateUp + (long)i * 2 * hidden, u = g + hidden;
            float* dg = dgateUp + (long)i * 2 * hidden, du = dg + hidden;
            float* dy = doutput + (long)i * hidden;
            var sig = new Span<float>(dg, hidden);
            TensorPrimitives.Sigmoid(new ReadOnlySpan<float>(g, hidden), sig);
            for (int j = 0; j < hidden; j++)
            {
                float s = dg[j], silu = g[j] * s;
                du[j] = dy[j] * silu;
                dg[j] = dy[j] * u[j] * s * (1 + g[j] * (1 - s));
            }
        });
    }
}
