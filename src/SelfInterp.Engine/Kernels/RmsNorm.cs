using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>RMSNorm: y = x / sqrt(mean(x²) + eps) · w, row-wise.</summary>
public static unsafe class RmsNorm
{
    /// <summary>Rows per worker below which splitting costs more than it saves.</summary>
    static int MinRows(int dim) => Math.Max(1, Workers.MinElementsPerWorker / dim);

    public static void Forward(float* x, float* weight, int n, int dim, float eps, float* output, float* rstd, int threads)
    {
        Workers.ForRange(n, threads, MinRows(dim), (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                var xr = new ReadOnlySpan<float>(x + (long)i * dim, dim);
                var yr = new Span<float>(output + (long)i * dim, dim);
                float r = 1f / MathF.Sqrt(FixedMath.SumOfSquares(xr) / dim + eps);
                rstd[i] = r;
                TensorPrimitives.Multiply(xr, r, yr);
                TensorPrimitives.Multiply(yr, new ReadOnlySpan<float>(weight, dim), yr);
            }
        });
    }

    /// <summary>dx += ∂L/∂x (accumulates, for the residual stream); dweight += ∂L/∂w unless dweight is null.</summary>
    public static void Backward(float* doutput, float* x, float* weight, float* rstd, int n, int dim,
        float* dx, float* dweight, int threads)
    {
        Workers.ForRange(n, threads, MinRows(dim), (start, end) =>
        {
            Span<float> g = stackalloc float[dim];
            for (int i = start; i < end; i++)
            {
                var dy = new ReadOnlySpan<float>(doutput + (long)i * dim, dim);
                var xr = new ReadOnlySpan<float>(x + (long)i * dim, dim);
                var dxr = new Span<float>(dx + (long)i * dim, dim);
                float r = rstd[i];
                // g = w·dy;  dx += r·g − x·r³·mean(g·x)
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(weight, dim), dy, g);
                float c = r * r * r * FixedMath.Dot(g, xr) / dim;
                TensorPrimitives.MultiplyAdd(g, r, dxr, dxr);
                TensorPrimitives.MultiplyAdd(xr, -c, dxr, dxr);
            }
        });
        if (dweight == null) return;
        // Rows in order on one thread: the sum does not depend on the thread count.
        var dw = new Span<float>(dweight, dim);
        Span<float> t = stackalloc float[dim];
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(doutput + (long)i * dim, dim), new ReadOnlySpan<float>(x + (long)i * dim, dim), t);
            TensorPrimitives.MultiplyAdd(t, rstd[i], dw, dw);
        }
    }
}
