using System.Numerics.Tensors;
using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Kernels;
using static SelfInterp.Engine.Kernels.AttentionTiles;

namespace SelfInterp.Engine.Decoding;

/// <summary>Attention of new query rows against a KV cache: a shared prefix first, then each sequence's own
/// positions up to and including the query's. Every query of every sequence sees the same prefix keys, so the
/// prefix part runs as two GEMMs per head over all queries at once; the own part goes per (sequence, head)
/// through the four-row tiles of <see cref="AttentionTiles"/>, where the softmax joins the two.</summary>
internal static unsafe class CachedAttention
{
    /// <summary>Floats of per-worker scratch needed for a cache.</summary>
    public static int ScratchLength(KvCache cache, int headDim)
    {
        int ldOwn = RoundUp8(cache.Capacity + Rows);
        return headDim * ldOwn + Rows * ldOwn + Rows * headDim;
    }

    /// <summary>Floats of the shared prefix-score buffer: [heads, B·Tn, prefixLength].</summary>
    public static long PrefixScoresLength(KvCache cache, int tn, int heads) => (long)heads * cache.Batch * tn * cache.PrefixLength;

    /// <summary>qkv [B·Tn, qkvDim] (rotated); queries i &lt; newLengths[b] sit at own position cache.Lengths[b] + i,
    /// whose K/V must already be in the cache. output [B·Tn, heads·headDim], padding rows zero.</summary>
    public static void Forward(IGemm gemm, float* qkv, KvCache cache, int layer, int[] newLengths, int tn, int heads, int kvHeads, int headDim,
        float* prefixScores, float* output, float[][] scratch, int threads)
    {
        int B = cache.Batch, rowsAll = B * tn, qkvDim = (heads + 2 * kvHeads) * headDim, oDim = heads * headDim;
        int group = heads / kvHeads, hd = headDim, kvDim = cache.KvDim;
        float scale = 1f / MathF.Sqrt(headDim);
        int P = cache.PrefixLength, ldOwn = RoundUp8(cache.Capacity + Rows);
        var prefix = cache.Prefix;
        // Scores of all queries against the prefix keys, per head: S_h = scale·Q_h·K_prefixᵀ.
        for (int h = 0; h < heads && P > 0; h++)
            gemm.Multiply(qkv + h * hd, qkvDim, false, prefix!.KeyRow(layer, 0, 0) + (h / group) * hd, kvDim, true,
                rowsAll, P, hd, scale, 0f, prefixScores + (long)h * rowsAll * P, P);
        Workers.For(B * heads, threads, (item, w) =>
        {
            int b = item / heads, h = item % heads, g = h / group, len = newLengths[b], past = cache.Lengths[b];
            float* sp = prefixScores + ((long)h * rowsAll + (long)b * tn) * P;
            float* q = qkv + (long)b * tn * qkvDim + h * hd;
            float* o = output + (long)b * tn * oDim + h * hd;
            for (int i = len; i < tn; i++)
            {
                new Span<float>(o + (long)i * oDim, hd).Clear();
                if (P > 0) new Span<float>(sp + (long)i * P, P).Clear();
            }
            if (len == 0) return;
            fixed (float* s = scratch[w])
            {
                float* kt = s, tile = s + hd * ldOwn, spare = tile + Rows * ldOwn;
                Transpose(cache.KeyRow(layer, b, 0) + g * hd, kvDim, past + len, hd, kt, ldOwn);
                float* vOwn = cache.ValueRow(layer, b, 0) + g * hd;
                for (int i0 = 0; i0 < len; i0 += Rows)
                {
                    float* Q(int r) => q + (long)Math.Min(i0 + r, len - 1) * qkvDim;
                    float* O(int r) => i0 + r < len ? o + (long)(i0 + r) * oDim : spare;
                    int own = past + Math.Min(len, i0 + Rows);
                    RowsTimesTransposed(Q(0), Q(1), Q(2), Q(3), kt, ldOwn, hd, own, tile, ldOwn);
                    for (int r = 0; r < Rows; r++)
                    {
                        var mine = new Span<float>(tile + r * ldOwn, own);
                        if (i0 + r >= len) { mine.Clear(); continue; }
                        var pre = new Span<float>(sp + (long)(i0 + r) * P, P);
                        int visible = past + i0 + r + 1;
                        mine[visible..].Clear();
                        mine = mine[..visible];
                        TensorPrimitives.Multiply(mine, scale, mine);
                        float max = FixedMath.Max(mine);
                        if (P > 0) max = Math.Max(max, FixedMath.Max(pre));
                        TensorPrimitives.Subtract(pre, max, pre);
                        FixedMath.Exp(pre, pre);
                        TensorPrimitives.Subtract(mine, max, mine);
                        FixedMath.Exp(mine, mine);
                        float inv = 1f / (FixedMath.Sum(pre) + FixedMath.Sum(mine));
                        TensorPrimitives.Multiply(pre, inv, pre);
                        TensorPrimitives.Multiply(mine, inv, mine);
                    }
                    WeightedRows(tile, ldOwn, own, vOwn, kvDim, hd, O(0), O(1), O(2), O(3));
                }
            }
        });
        // Add the prefix values weighted by the normalised prefix probabilities: O_h += P_h·V_prefix.
        for (int h = 0; h < heads && P > 0; h++)
            gemm.Multiply(prefixScores + (long)h * rowsAll * P, P, false, prefix!.ValueRow(layer, 0, 0) + (h / group) * hd, kvDim, false,
                rowsAll, hd, P, 1f, 1f, output + h * hd, oDim);
    }
}
