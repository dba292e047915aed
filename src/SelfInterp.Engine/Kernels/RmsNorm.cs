using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>RMSNorm: y = x / sqrt(mean(x²) + eps) · w, row-wise.</summary>
public static unsafe class RmsNorm
{
    public static void Forward(float* x, float* weight, int n, int dim, float eps, float* output, float* rstd, int threads)
    {
        Workers.For(n, n * dim >= 1 << 15 ? threads : 1, (i, _) =>
        {
            var xr = new ReadOnlySpan<float>(x + (long)i * dim, dim);
            var yr = new Span<float>(output + (long)i * dim, dim);
            float r = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / dim + eps);
            rstd[i] = r;
            TensorPrimitives.Multiply(xr, r, yr);
            TensorPrimitives.Multiply(yr, new ReadOnlySpan<float>(weight, dim), yr);
        });
    }

    /// <summary>dx += ∂L/∂x (accumulates, for the residual stream); dweight += ∂L/∂w unless dweight is null.</summary>
    public static void Backward(float* doutput, float* x, float* weight, float* rstd, int n, int dim,
        float* dx, float* dweight, int threads)
    {
        Workers.For(n, n * dim >= 1 << 15 ? threads : 1, (i, _) =>
        {
            float* dy = doutput + (long)i * dim, xr = x + (long)i * dim, dxr = dx + (long)i * dim;
            float r = rstd[i];
            // g = w·dy;  dx = r·g − x·r³·mean(g·x)
            float dot = 0;
            for (int j = 0; j < dim; j++) dot += weight[j] * dy[j] * xr[j];
            float c = r * r * r * dot / dim;
            for (int j = 0; j < dim; j++) dxr[j] += r * weight[j] * dy[j] - c * xr[j];
        });
        if (dweight == null) return;
        for (int i = 0; i < n; i++)
        {
            float* dy = doutput + (long)i * dim, xr = x + (long)i * dim;
            float r = rstd[i];
            for (int j = 0; j < dim; j++) dweight[j] += dy[j] * xr[j] * r;
        }
    }
}
