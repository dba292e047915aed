using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

public unsafe class GemmTests
{
    [Theory]
    [InlineData("managed", 1)]
    [InlineData("managed", 2)]
    [InlineData("openblas", 2)]
    public void MatchesNaiveForAllTransposesAndEdgeSizes(string name, int threads)
    {
        if (name == "openblas" && OpenBlasGemm.TryCreate(1) is null) return;
        var gemm = TestGemms.Create(name, threads);
        var naive = new NaiveGemm();
        var rng = new Rng(7, "gemm-test");
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (37, 70, 300), (130, 65, 513), (6, 32, 256) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f, 0.5f })
                    {
                        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                        var a = Random(rng, (ta ? k : m) * lda);
                        var b = Random(rng, (tb ? n : k) * ldb);
                        var c0 = Random(rng, m * ldc);
                        var expected = (float[])c0.Clone();
                        var actual = (float[])c0.Clone();
                        fixed (float* pa = a, pb = b, pe = expected, pc = actual)
                        {
                            naive.Multiply(pa, lda, ta, pb, ldb, tb, m, n, k, 0.75f, beta, pe, ldc);
                            gemm.Multiply(pa, lda, ta, pb, ldb, tb, m, n, k, 0.75f, beta, pc, ldc);
                        }
                        for (int i = 0; i < m; i++)
                        {
                            for (int j = 0; j < n; j++)
                                Assert.True(Math.Abs(expected[i * ldc + j] - actual[i * ldc + j]) < 1e-4f * Math.Sqrt(k) + 1e-5f,
                                    $"{name} m={m} n={n} k={k} ta={ta} tb={tb} beta={beta} at ({i},{j}): {expected[i * ldc + j]} vs {actual[i * ldc + j]}");
                            for (int j = n; j < ldc; j++) Assert.Equal(c0[i * ldc + j], actual[i * ldc + j]); // padding untouched
                        }
                    }
    }

    /// <summary>The managed GEMM's definition, bit for bit: C scaled by beta, then per element one chain of fused
    /// multiply-adds along k from C with alpha·A. Alpha 1 on a row-major A takes the path that reads A in place; the
    /// shapes cover partial row panels, partial column panels, several k-slices and shrunken row tiles.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ManagedIsOneFusedChainPerElementOnEveryPath(int threads)
    {
        var gemm = new ManagedGemm(threads);
        var rng = new Rng(11, "gemm-chain");
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (6, 32, 256), (13, 300, 257), (100, 128, 600), (5, 40, 3) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float alpha in new[] { 1f, 0.75f })
                        foreach (float beta in new[] { 0f, 1f, 0.5f })
                        {
                            int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                            var a = Random(rng, (ta ? k : m) * lda);
                            var b = Random(rng, (tb ? n : k) * ldb);
                            var expected = Random(rng, m * ldc);
                            var actual = (float[])expected.Clone();
                            for (int i = 0; i < m; i++)
                                for (int j = 0; j < n; j++)
                                {
                                    float acc = beta == 0 ? 0 : beta == 1 ? expected[i * ldc + j] : expected[i * ldc + j] * beta;
                                    for (int p = 0; p < k; p++)
                                        acc = MathF.FusedMultiplyAdd(alpha * (ta ? a[p * lda + i] : a[i * lda + p]), tb ? b[j * ldb + p] : b[p * ldb + j], acc);
                                    expected[i * ldc + j] = acc;
                                }
                            fixed (float* pa = a, pb = b, pc = actual)
                                gemm.Multiply(pa, lda, ta, pb, ldb, tb, m, n, k, alpha, beta, pc, ldc);
                            for (int x = 0; x < expected.Length; x++)
                                Assert.True(BitConverter.SingleToInt32Bits(expected[x]) == BitConverter.SingleToInt32Bits(actual[x]),
                                    $"m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta} at {x}: {expected[x]} vs {actual[x]}");
                        }
    }

    [Fact]
    public void ManagedResultDoesNotDependOnThreadCount()
    {
        var rng = new Rng(3, "gemm-threads");
        int m = 200, n = 150, k = 600;
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        fixed (float* pa = a, pb = b, p1 = c1, p2 = c2)
        {
            new ManagedGemm(1).Multiply(pa, k, false, pb, n, false, m, n, k, 1, 0, p1, n);
            new ManagedGemm(2).Multiply(pa, k, false, pb, n, false, m, n, k, 1, 0, p2, n);
        }
        Assert.Equal(c1, c2);
    }

    static float[] Random(Rng rng, int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
}
