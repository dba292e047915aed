namespace SelfInterp.Engine.Gemm;

/// <summary>Triple-loop reference GEMM with double accumulation; the yardstick for the fast ones.</summary>
public sealed unsafe class NaiveGemm : IGemm
{
    public string Name => "naive";

    public bool SameOnEveryCpu => true;

    public void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB,
        int m, int n, int k, float alpha, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                    float bv = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                    sum += (double)av * bv;
                }
                float* cij = c + (long)i * ldc + j;
                *cij = (float)(alpha * sum + (beta == 0 ? 0 : beta * *cij));
            }
    }
}
