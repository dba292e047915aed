using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SelfInterp.Engine.Gemm;

/// <summary>Blocked, packed SIMD GEMM (BLIS-style): panels of A (MR rows) and B (NR columns) are packed per
/// KC-deep slice, then an MR×NR register-tiled FMA micro-kernel sweeps them. The default GEMM, because its result
/// is the same bytes on every CPU and with any thread count: C is scaled by beta, then each element is one chain of
/// fused multiply-adds along k in order, C[i,j] = fma(alpha·A[i,p], B[p,j], C[i,j]) (the accumulators start from C
/// at every slice, so neither the blocking nor the lane width changes a sum), and tiles of C go to threads whole.</summary>
/// <remarks>One chain from C also means that rows of A that are zero leave C exactly as it was: a product over a
/// subset of the rows (the engine's pruned last layer) gives the same bytes as over all of them, and an edge tile
/// (run in a scratch tile loaded from C) the same as a full one, so the micro-kernel may be 512 bits wide where the CPU
/// has them and 256 elsewhere without changing a result.</remarks>
public sealed unsafe class ManagedGemm : IGemm
{
    const int MR = 6, KC = 256, MC = 48, NC = 256;
    /// <summary>Panel width: two vectors per row of the micro-tile, 512-bit where the CPU has them. The width changes
    /// which columns share a register, never the chain of operations of any element of C.</summary>
    static readonly int NR = Vector512.IsHardwareAccelerated ? 32 : 16;

    readonly int _threads;
    // Packing buffers belong to the calling thread, so concurrent calls (one per inference session) are safe.
    [ThreadStatic] static float[]? t_packA, t_packB;

    public ManagedGemm(int threads) => _threads = Math.Max(1, threads);

    public string Name => "managed";

    public bool SameOnEveryCpu => true;

    public void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB,
        int m, int n, int k, float alpha, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        ScaleC(c, ldc, m, n, beta);
        if (k == 0 || alpha == 0) return;

        // Small products are not worth waking another thread for.
        int workers = (long)m * n * k < 64L * 64 * 64 ? 1 : _threads;
        int nTiles = (n + NC - 1) / NC, mc = TileRows(m, nTiles, workers);
        int rowTiles = (m + mc - 1) / mc;
        workers = Math.Min(workers, rowTiles * nTiles);
        // A row-major A without a scale is read in place, six rows at a time: packing it cost as much as the product
        // when C is narrow (128 columns). Only a tile's last, partial panel of rows is packed (zero-padded).
        bool direct = !transA && alpha == 1;
        // One dispatch per product: each worker takes whole tiles of C (tile row·nTiles + block goes to worker tile mod
        // workers) and runs every k-slice of them itself, so no thread waits on another between slices. A worker packs
        // a slice of a column block of B once and sweeps all its row tiles of that block with it; each element of C
        // still sees the slices in order, so this changes no value, only how often B is packed.
        RunParallel(workers, w =>
        {
            Grow(ref t_packA, (long)mc * KC);
            Grow(ref t_packB, (long)NC * KC);
            fixed (float* packA = t_packA, packB = t_packB)
                for (int j0 = 0; j0 < n; j0 += NC)
                {
                    int block = j0 / NC, cols = Math.Min(NC, n - j0);
                    bool Mine(int it) => ((long)it * nTiles + block) % workers == w;
                    if (!Enumerable.Range(0, Math.Min(workers, rowTiles)).Any(Mine)) continue;
                    for (int p0 = 0; p0 < k; p0 += KC)
                    {
                        int kc = Math.Min(KC, k - p0);
                        for (int jp = 0; jp < cols; jp += NR) PackB(b, ldb, transB, p0, kc, j0 + jp, n, packB + (long)jp * kc);
                        for (int it = 0; it < rowTiles; it++)
                        {
                            if (!Mine(it)) continue;
                            int i0 = it * mc, rows = Math.Min(mc, m - i0);
                            for (int ip = 0; ip < rows; ip += MR)
                                if (!(direct && rows - ip >= MR)) PackA(a, lda, transA, p0, kc, i0 + ip, m, alpha, packA + (long)ip * kc);
                            for (int jp = 0; jp < cols; jp += NR)
                                for (int ip = 0; ip < rows; ip += MR)
                                {
                                    var panel = direct && rows - ip >= MR
                                        ? new APanel(a + (long)(i0 + ip) * lda + p0, lda, 1)
                                        : new APanel(packA + (long)ip * kc, 1, MR);
                                    Tile(panel, packB + (long)jp * kc, kc, c + (long)(i0 + ip) * ldc + j0 + jp, ldc,
                                        Math.Min(MR, rows - ip), Math.Min(NR, cols - jp));
                                }
                        }
                    }
                }
        });
    }

    /// <summary>Rows per tile of C: MC, or fewer (a multiple of MR) until every worker has a few tiles, so a small
    /// product (a weight gradient with 128 rows) does not leave a core idle. Tiling changes no value.</summary>
    static int TileRows(int m, int nTiles, int workers)
    {
        int mc = MC;
        while (mc > MR && (long)((m + mc - 1) / mc) * nTiles < 4 * workers) mc -= MR;
        return mc;
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

    /// <summary>Packs alpha·op(A)[i0..i0+MR, p0..p0+kc] as kc groups of MR values, zero-padding missing rows.</summary>
    static void PackA(float* a, int lda, bool transA, int p0, int kc, int i0, int m, float alpha, float* dst)
    {
        PackA(a, lda, transA, p0, kc, i0, m, dst);
        if (alpha != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(new Span<float>(dst, kc * MR), alpha, new Span<float>(dst, kc * MR));
    }

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

    /// <summary>MR rows of op(A) over a k-slice: element (r, p) at Start[r·RowStride + p·KStride] (packed: 1, MR;
    /// read in place from row-major A: lda, 1).</summary>
    readonly struct APanel(float* start, long rowStride, int kStride)
    {
        public readonly float* Start = start;
        public readonly long RowStride = rowStride;
        public readonly int KStride = kStride;
    }

    /// <summary>C[mr×nr] continues its chains over this slice; a partial edge tile runs them in a scratch tile.</summary>
    static void Tile(APanel a, float* b, int kc, float* c, int ldc, int mr, int nr)
    {
        if (mr == MR && nr == NR)
        {
            Kernel(a, b, kc, c, ldc);
            return;
        }
        float* tile = stackalloc float[MR * 32];
        new Span<float>(tile, MR * NR).Clear();
        for (int i = 0; i < mr; i++) new Span<float>(c + (long)i * ldc, nr).CopyTo(new Span<float>(tile + i * NR, nr));
        Kernel(a, b, kc, tile, NR);
        for (int i = 0; i < mr; i++) new Span<float>(tile + i * NR, nr).CopyTo(new Span<float>(c + (long)i * ldc, nr));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Kernel(APanel a, float* b, int kc, float* c, int ldc)
    {
        if (NR == 32) Kernel512(a, b, kc, c, ldc);
        else Kernel256(a, b, kc, c, ldc);
    }

    /// <summary>6×32 micro-kernel for CPUs with 512-bit vectors: 12 zmm accumulators loaded from C, the same chains.</summary>
    static void Kernel512(APanel panel, float* b, int kc, float* c, int ldc)
    {
        float* a0 = panel.Start, a1 = a0 + panel.RowStride, a2 = a1 + panel.RowStride, a3 = a2 + panel.RowStride,
            a4 = a3 + panel.RowStride, a5 = a4 + panel.RowStride;
        int ks = panel.KStride;
        float* c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc, c4 = c + 4L * ldc, c5 = c + 5L * ldc;
        Vector512<float> c00 = Vector512.Load(c), c01 = Vector512.Load(c + 16), c10 = Vector512.Load(c1), c11 = Vector512.Load(c1 + 16),
            c20 = Vector512.Load(c2), c21 = Vector512.Load(c2 + 16), c30 = Vector512.Load(c3), c31 = Vector512.Load(c3 + 16),
            c40 = Vector512.Load(c4), c41 = Vector512.Load(c4 + 16), c50 = Vector512.Load(c5), c51 = Vector512.Load(c5 + 16);
        for (int p = 0, q = 0; p < kc; p++, q += ks)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[q]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[q]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[q]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[q]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[q]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[q]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            b += 32;
        }
        c00.Store(c); c01.Store(c + 16); c10.Store(c1); c11.Store(c1 + 16); c20.Store(c2); c21.Store(c2 + 16);
        c30.Store(c3); c31.Store(c3 + 16); c40.Store(c4); c41.Store(c4 + 16); c50.Store(c5); c51.Store(c5 + 16);
    }

    /// <summary>6×16 micro-kernel: 12 ymm accumulators loaded from C, per k two B loads, six A broadcasts and
    /// twelve fused multiply-adds, stored back.</summary>
    static void Kernel256(APanel panel, float* b, int kc, float* c, int ldc)
    {
        float* a0 = panel.Start, a1 = a0 + panel.RowStride, a2 = a1 + panel.RowStride, a3 = a2 + panel.RowStride,
            a4 = a3 + panel.RowStride, a5 = a4 + panel.RowStride;
        int ks = panel.KStride;
        float* c1 = c + ldc, c2 = c + 2L * ldc, c3 = c + 3L * ldc, c4 = c + 4L * ldc, c5 = c + 5L * ldc;
        Vector256<float> c00 = Vector256.Load(c), c01 = Vector256.Load(c + 8), c10 = Vector256.Load(c1), c11 = Vector256.Load(c1 + 8),
            c20 = Vector256.Load(c2), c21 = Vector256.Load(c2 + 8), c30 = Vector256.Load(c3), c31 = Vector256.Load(c3 + 8),
            c40 = Vector256.Load(c4), c41 = Vector256.Load(c4 + 8), c50 = Vector256.Load(c5), c51 = Vector256.Load(c5 + 8);
        for (int p = 0, q = 0; p < kc; p++, q += ks)
        {
            var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a0[q]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[q]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[q]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[q]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[q]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[q]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            b += 16;
        }
        c00.Store(c); c01.Store(c + 8); c10.Store(c1); c11.Store(c1 + 8); c20.Store(c2); c21.Store(c2 + 8);
        c30.Store(c3); c31.Store(c3 + 8); c40.Store(c4); c41.Store(c4 + 8); c50.Store(c5); c51.Store(c5 + 8);
    }
}
