using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SelfInterp.Engine.Gemm;

/// <summary>Blocked, packed SIMD GEMM (BLIS-style): panels of A (MR rows) and B (NR columns) are packed per
/// KC-deep slice, then an MR×NR register-tiled FMA micro-kernel sweeps them. The default GEMM, because its result
/// is the same bytes on every CPU and with any thread count: each element of C is accumulated along k in order
/// with fused multiply-adds (vectorised over columns, so the lane width changes no sum), slice by slice into C
/// with one fused multiply-add by alpha, and tiles of C are split over threads whole.</summary>
/// <remarks>The micro-kernel is written with Vector256 on every CPU: on an AVX-512 machine a 512-bit kernel would
/// be no faster for the engine's small matrices (dim 128) and the tiling, which edge tiles take the scratch path,
/// would then depend on the CPU.</remarks>
public sealed unsafe class ManagedGemm : IGemm
{
    const int MR = 6, NR = 16, KC = 256, MC = 48, NC = 256;

    readonly int _threads;
    // Packing buffers belong to the calling thread, so concurrent calls (one per inference session) are safe.
    [ThreadStatic] static float[]? t_packA, t_packB;

    public ManagedGemm(int threads) => _threads = Math.Max(1, threads);

    public string Name => "managed";

    public void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB,
        int m, int n, int k, float alpha, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        ScaleC(c, ldc, m, n, beta);
        if (k == 0 || alpha == 0) return;

        int mPanels = (m + MR - 1) / MR, nPanels = (n + NR - 1) / NR;
        Grow(ref t_packA, (long)mPanels * MR * KC);
        Grow(ref t_packB, (long)nPanels * NR * KC);
        int mTiles = (m + MC - 1) / MC, nTiles = (n + NC - 1) / NC;
        int tiles = mTiles * nTiles;
        int workers = Math.Min(_threads, tiles);
        // Small products are not worth waking other threads for.
        if ((long)m * n * k < 64L * 64 * 64) workers = 1;

        fixed (float* pa = t_packA, pb = t_packB)
        {
            float* packA = pa, packB = pb;
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0);
                RunParallel(workers, w =>
                {
                    for (int jp = w; jp < nPanels; jp += workers) PackB(b, ldb, transB, p0, kc, jp * NR, n, packB + (long)jp * NR * kc);
                    for (int ip = w; ip < mPanels; ip += workers) PackA(a, lda, transA, p0, kc, ip * MR, m, packA + (long)ip * MR * kc);
                });
                RunParallel(workers, w =>
                {
                    for (int t = w; t < tiles; t += workers)
                    {
                        int i0 = (t / nTiles) * MC, j0 = (t % nTiles) * NC;
                        int i1 = Math.Min(m, i0 + MC), j1 = Math.Min(n, j0 + NC);
                        for (int j = j0; j < j1; j += NR)
                            for (int i = i0; i < i1; i += MR)
                                Tile(packA + (long)(i / MR) * MR * kc, packB + (long)(j / NR) * NR * kc, kc,
                                    c + (long)i * ldc + j, ldc, Math.Min(MR, m - i), Math.Min(NR, n - j), alpha);
                    }
                });
            }
        }
    }

    static void RunParallel(int workers, Action<int> body)
    {
        if (workers == 1) body(0);
        else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, body);
    }

    static void Grow(ref float[]? buffer, long length)
    {
        if (buffer is null || buffer.Length < length) buffer = GC.AllocateUninitializedArray<float>((int)length, pinned: true);
    }

    static void ScaleC(float* c, int ldc, int m, int n, float beta)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Packs op(A)[i0..i0+MR, p0..p0+kc] as kc groups of MR values, zero-padding missing rows.</summary>
    static void PackA(float* a, int lda, bool transA, int p0, int kc, int i0, int m, float* dst)
    {
        int rows = Math.Min(MR, m - i0);
        if (transA)
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)(p0 + p) * lda + i0;
                int r = 0;
                for (; r < rows; r++) dst[r] = src[r];
                for (; r < MR; r++) dst[r] = 0;
                dst += MR;
            }
        }
        else
        {
            for (int r = 0; r < MR; r++)
            {
                if (r < rows)
                {
                    float* src = a + (long)(i0 + r) * lda + p0;
                    for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
                }
                else for (int p = 0; p < kc; p++) dst[p * MR + r] = 0;
            }
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+NR] as kc rows of NR values, zero-padding missing columns.</summary>
    static void PackB(float* b, int ldb, bool transB, int p0, int kc, int j0, int n, float* dst)
    {
        int nr = NR, cols = Math.Min(nr, n - j0);
        if (!transB)
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (long)(p0 + p) * ldb + j0;
                if (cols == nr) new Span<float>(src, nr).CopyTo(new Span<float>(dst, nr));
                else
                {
                    new Span<float>(src, cols).CopyTo(new Span<float>(dst, cols));
                    new Span<float>(dst + cols, nr - cols).Clear();
                }
                dst += nr;
            }
        }
        else
        {
            for (int col = 0; col < nr; col++)
            {
                if (col < cols)
                {
                    float* src = b + (long)(j0 + col) * ldb + p0;
                    for (int p = 0; p < kc; p++) dst[p * nr + col] = src[p];
                }
                else for (int p = 0; p < kc; p++) dst[p * nr + col] = 0;
            }
        }
    }

    /// <summary>C[mr×nr] = alpha·(Apanel·Bpanel) + C with one rounding per element; a partial edge tile computes the
    /// sums into a scratch tile and applies the same fused multiply-add element by element.</summary>
    static void Tile(float* a, float* b, int kc, float* c, int ldc, int mr, int nr, float alpha)
    {
        if (mr == MR && nr == NR)
        {
            Kernel256(a, b, kc, c, ldc, alpha, accumulate: true);
            return;
        }
        float* sums = stackalloc float[MR * NR];
        Kernel256(a, b, kc, sums, NR, 1f, accumulate: false);
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < nr; j++)
                c[(long)i * ldc + j] = MathF.FusedMultiplyAdd(sums[i * NR + j], alpha, c[(long)i * ldc + j]);
    }

    /// <summary>6×16 micro-kernel: 12 ymm accumulators, per k two B loads and six A broadcasts. Stores
    /// alpha·sum + C (accumulate) or the plain sums.</summary>
    static void Kernel256(float* a, float* b, int kc, float* c, int ldc, float alpha, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += MR; b += 16;
        }
        if (!accumulate)
        {
            c00.Store(c); c01.Store(c + 8); c10.Store(c + ldc); c11.Store(c + ldc + 8); c20.Store(c + 2L * ldc); c21.Store(c + 2L * ldc + 8);
            c30.Store(c + 3L * ldc); c31.Store(c + 3L * ldc + 8); c40.Store(c + 4L * ldc); c41.Store(c + 4L * ldc + 8); c50.Store(c + 5L * ldc); c51.Store(c + 5L * ldc + 8);
            return;
        }
        var al = Vector256.Create(alpha);
        Store256(c, c00, c01, al); Store256(c + ldc, c10, c11, al); Store256(c + 2L * ldc, c20, c21, al);
        Store256(c + 3L * ldc, c30, c31, al); Store256(c + 4L * ldc, c40, c41, al); Store256(c + 5L * ldc, c50, c51, al);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, Vector256<float> alpha)
    {
        Vector256.FusedMultiplyAdd(v0, alpha, Vector256.Load(c)).Store(c);
        Vector256.FusedMultiplyAdd(v1, alpha, Vector256.Load(c + 8)).Store(c + 8);
    }
}
