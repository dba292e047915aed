namespace SelfInterp.Engine.Gemm;

/// <summary>Single-precision row-major matrix product: C[m,n] = alpha·op(A)[m,k]·op(B)[k,n] + beta·C.</summary>
/// <remarks>op(X) is X or Xᵀ; lda/ldb/ldc are the row strides of the matrices as stored. Implementations may
/// use several threads inside one call, and may be called from several threads at once.</remarks>
public unsafe interface IGemm
{
    string Name { get; }

    /// <summary>Whether a product is the same bytes on every CPU and at any thread count (what the engine's defaults
    /// promise; OpenBLAS picks its kernels per CPU and does not).</summary>
    bool SameOnEveryCpu { get; }

    void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB,
        int m, int n, int k, float alpha, float beta, float* c, int ldc);
}
