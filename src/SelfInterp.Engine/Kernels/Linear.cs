using SelfInterp.Engine.Gemm;

namespace SelfInterp.Engine.Kernels;

/// <summary>A bias-free linear layer y[n,out] = x[n,in]·Wᵀ with W stored [out, in], through the GEMM.</summary>
public static unsafe class Linear
{
    /// <summary>y = x·Wᵀ + beta·y (beta = 1 fuses a residual add into y).</summary>
    public static void Forward(IGemm gemm, float* x, float* weight, int n, int inDim, int outDim, float beta, float* y, int ldy)
        => gemm.Multiply(x, inDim, false, weight, inDim, true, n, outDim, inDim, 1f, beta, y, ldy);

    /// <summary>dx = dy·W + dxBeta·dx; dweight += dyᵀ·x unless dweight is null (frozen weight).</summary>
    public static void Backward(IGemm gemm, float* dy, int ldy, float* x, float* weight, int n, int inDim, int outDim,
        float dxBeta, float* dx, float* dweight)
    {
        gemm.Multiply(dy, ldy, false, weight, inDim, false, n, inDim, outDim, 1f, dxBeta, dx, inDim);
        if (dweight != null) gemm.Multiply(dy, ldy, true, x, inDim, false, outDim, inDim, n, 1f, 1f, dweight, inDim);
    }
}
