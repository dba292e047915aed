using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SelfInterp.Engine.Kernels;

/// <summary>Register-tiled pieces of attention for blocks of four query rows, small enough that GEMM calls
/// would spend more time packing and dispatching than computing.</summary>
internal static unsafe class AttentionTiles
{
    public const int Rows = 4;

    /// <summary>out[r, j] = Σ_d x_r[d]·yt[d, j] for r &lt; 4 and j &lt; keys rounded up to 8, where yt is a
    /// transposed [hd, ldy] matrix (ldy a multiple of 8, zero beyond the valid keys). out has row stride ldo.</summary>
    public static void RowsTimesTransposed(float* x0, float* x1, float* x2, float* x3, float* yt, int ldy, int hd, int keys, float* output, int ldo)
    {
        for (int j = 0; j < keys; j += 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            float* col = yt + j;
            for (int d = 0; d < hd; d++)
            {
                var y = Vector256.Load(col + (long)d * ldy);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Create(x0[d]), y, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Create(x1[d]), y, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Create(x2[d]), y, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Create(x3[d]), y, a3);
            }
            a0.Store(output + j); a1.Store(output + ldo + j); a2.Store(output + 2 * ldo + j); a3.Store(output + 3 * ldo + j);
        }
    }

    /// <summary>o_r = Σ_{j&lt;n} w[r, j]·y_j for r &lt; 4, y rows of hd floats with stride ldy; overwrites o_r, or
    /// adds to it when accumulate is set.</summary>
    public static void WeightedRows(float* w, int ldw, int n, float* y, int ldy, int hd, float* o0, float* o1, float* o2, float* o3,
        bool accumulate = false)
    {
        float* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        int c = 0;
        for (; c + 16 <= hd; c += 16)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            for (int j = 0; j < n; j++)
            {
                float* row = y + (long)j * ldy + c;
                var v0 = Vector256.Load(row); var v1 = Vector256.Load(row + 8);
                var s0 = Vector256.Create(w0[j]); var s1 = Vector256.Create(w1[j]); var s2 = Vector256.Create(w2[j]); var s3 = Vector256.Create(w3[j]);
                a0 = Vector256.FusedMultiplyAdd(s0, v0, a0); b0 = Vector256.FusedMultiplyAdd(s0, v1, b0);
                a1 = Vector256.FusedMultiplyAdd(s1, v0, a1); b1 = Vector256.FusedMultiplyAdd(s1, v1, b1);
                a2 = Vector256.FusedMultiplyAdd(s2, v0, a2); b2 = Vector256.FusedMultiplyAdd(s2, v1, b2);
                a3 = Vector256.FusedMultiplyAdd(s3, v0, a3); b3 = Vector256.FusedMultiplyAdd(s3, v1, b3);
            }
            if (accumulate)
            {
                a0 += Vector256.Load(o0 + c); b0 += Vector256.Load(o0 + c + 8); a1 += Vector256.Load(o1 + c); b1 += Vector256.Load(o1 + c + 8);
                a2 += Vector256.Load(o2 + c); b2 += Vector256.Load(o2 + c + 8); a3 += Vector256.Load(o3 + c); b3 += Vector256.Load(o3 + c + 8);
            }
            a0.Store(o0 + c); b0.Store(o0 + c + 8); a1.Store(o1 + c); b1.Store(o1 + c + 8);
            a2.Store(o2 + c); b2.Store(o2 + c + 8); a3.Store(o3 + c); b3.Store(o3 + c + 8);
        }
        for (; c + 8 <= hd; c += 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int j = 0; j < n; j++)
            {
                var v0 = Vector256.Load(y + (long)j * ldy + c);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Create(w0[j]), v0, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Create(w1[j]), v0, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Create(w2[j]), v0, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Create(w3[j]), v0, a3);
            }
            if (accumulate)
            {
                a0 += Vector256.Load(o0 + c); a1 += Vector256.Load(o1 + c); a2 += Vector256.Load(o2 + c); a3 += Vector256.Load(o3 + c);
            }
            a0.Store(o0 + c); a1.Store(o1 + c); a2.Store(o2 + c); a3.Store(o3 + c);
        }
        for (; c < hd; c++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int j = 0; j < n; j++)
            {
                float v = y[(long)j * ldy + c];
                s0 += w0[j] * v; s1 += w1[j] * v; s2 += w2[j] * v; s3 += w3[j] * v;
            }
            if (accumulate) { s0 += o0[c]; s1 += o1[c]; s2 += o2[c]; s3 += o3[c]; }
            o0[c] = s0; o1[c] = s1; o2[c] = s2; o3[c] = s3;
        }
    }

    /// <summary>acc_j += Σ_r w[r, j]·x_r for j &lt; n: the transposed product (dK += dSᵀ·Q, dV += Pᵀ·dY) for one
    /// block of four rows x_r (hd floats each); acc rows have stride hd.</summary>
    public static void TransposedAccumulate(float* w, int ldw, int n, float* x0, float* x1, float* x2, float* x3, int hd, float* acc)
    {
        float* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        int c = 0;
        for (; c + 8 <= hd; c += 8)
        {
            var q0 = Vector256.Load(x0 + c); var q1 = Vector256.Load(x1 + c); var q2 = Vector256.Load(x2 + c); var q3 = Vector256.Load(x3 + c);
            for (int j = 0; j < n; j++)
            {
                float* a = acc + (long)j * hd + c;
                var s = Vector256.FusedMultiplyAdd(Vector256.Create(w0[j]), q0, Vector256.Load(a));
                s = Vector256.FusedMultiplyAdd(Vector256.Create(w1[j]), q1, s);
                s = Vector256.FusedMultiplyAdd(Vector256.Create(w2[j]), q2, s);
                Vector256.FusedMultiplyAdd(Vector256.Create(w3[j]), q3, s).Store(a);
            }
        }
        for (; c < hd; c++)
            for (int j = 0; j < n; j++)
                acc[(long)j * hd + c] += w0[j] * x0[c] + w1[j] * x1[c] + w2[j] * x2[c] + w3[j] * x3[c];
    }

    /// <summary>dst[d, j] = src_j[d] for j &lt; n (rows of stride lds), zero for n ≤ j &lt; ldd.</summary>
    public static void Transpose(float* src, int lds, int n, int hd, float* dst, int ldd)
    {
        for (int d = 0; d < hd; d++)
        {
            float* row = dst + (long)d * ldd;
            for (int j = 0; j < n; j++) row[j] = src[(long)j * lds + d];
            for (int j = n; j < ldd; j++) row[j] = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundUp8(int n) => (n + 7) & ~7;
}
