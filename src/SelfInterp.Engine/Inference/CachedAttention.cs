using System.Numerics.Tensors;
using SelfInterp.Engine.Kernels;
using static SelfInterp.Engine.Kernels.AttentionTiles;

namespace SelfInterp.Engine;

/// <summary>Attention of new query rows against a KV cache (shared prefix first, then the sequence's own
/// positions up to and including the query's). Split over (sequence, head) across threads; four query rows
/// at a time through the register-tiled kernels of <see cref="AttentionTiles"/>.</summary>
internal static unsafe class CachedAttention
{
    /// <summary>Floats of per-worker scratch needed for a cache.</summary>
    public static int ScratchLength(KvCache cache, int headDim)
    {
        int ldPrefix = RoundUp8(cache.PrefixLength), ldOwn = RoundUp8(cache.Capacity + Rows);
        return headDim * ldOwn + Rows * (ldPrefix + ldOwn) + Rows * headDim;
    }

    /// <summary>Transposed prefix keys per kv head, [kvHeads][hd, RoundUp8(prefixLength)], for one layer.</summary>
    public static void TransposePrefix(KvCache cache, int layer, int kvHeads, int headDim, float[] dst)
    {
        int p = cache.PrefixLength, ld = RoundUp8(p);
        fixed (float* d = dst)
            for (int g = 0; g < kvHeads; g++)
                Transpose(cache.Prefix!.KeyRow(layer, 0, 0) + g * headDim, cache.KvDim, p, headDim, d + (long)g * headDim * ld, ld);
    }

    /// <summary>qkv [B·Tn, qkvDim] (rotated); queries i &lt; newLengths[b] sit at own position cache.Lengths[b] + i,
    /// whose K/V must already be in the cache. output [B·Tn, heads·headDim], padding rows zero.
    /// prefixKt holds <see cref="TransposePrefix"/> of this layer when the cache has a prefix.</summary>
    public static void Forward(float* qkv, KvCache cache, int layer, int[] newLengths, int tn, int heads, int kvHeads, int headDim,
        float[] prefixKt, float* output, float[][] scratch, int threads)
    {
        int B = cache.Batch, qkvDim = (heads + 2 * kvHeads) * headDim, oDim = heads * headDim, group = heads / kvHeads, hd = headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        int prefixLen = cache.PrefixLength, ldP = RoundUp8(prefixLen), ldOwn = RoundUp8(cache.Capacity + Rows), ldRow = ldP + ldOwn;
        var prefix = cache.Prefix;
        Workers.For(B * heads, threads, (item, w) =>
        {
            int b = item / heads, h = item % heads, g = h / group, len = newLengths[b], past = cache.Lengths[b];
            fixed (float* s = scratch[w], pkt = prefixKt)
            {
                float* kt = s, tile = s + hd * ldOwn, spare = tile + Rows * ldRow;
                float* q = qkv + (long)b * tn * qkvDim + h * hd;
                float* o = output + (long)b * tn * oDim + h * hd;
                for (int i = len; i < tn; i++) new Span<float>(o + (long)i * oDim, hd).Clear();
                if (len == 0) return;
                int ownTotal = past + len;
                Transpose(cache.KeyRow(layer, b, 0) + g * hd, cache.KvDim, ownTotal, hd, kt, ldOwn);
                float* gkt = pkt + (long)g * hd * ldP;
                float* vPrefix = prefixLen > 0 ? prefix!.ValueRow(layer, 0, 0) + g * hd : null;
                float* vOwn = cache.ValueRow(layer, b, 0) + g * hd;
                for (int i0 = 0; i0 < len; i0 += Rows)
                {
                    float* Q(int r) => q + (long)Math.Min(i0 + r, len - 1) * qkvDim;
                    float* O(int r) => i0 + r < len ? o + (long)(i0 + r) * oDim : spare;
                    int own = past + Math.Min(len, i0 + Rows);
                    if (prefixLen > 0) RowsTimesTransposed(Q(0), Q(1), Q(2), Q(3), gkt, ldP, hd, prefixLen, tile, ldRow);
                    RowsTimesTransposed(Q(0), Q(1), Q(2), Q(3), kt, ldOwn, hd, own, tile + ldP, ldRow);
                    for (int r = 0; r < Rows; r++)
                    {
                        float* row = tile + r * ldRow;
                        var pre = new Span<float>(row, prefixLen);
                        var mine = new Span<float>(row + ldP, own);
                        if (i0 + r >= len) { pre.Clear(); mine.Clear(); continue; }
                        int visible = past + i0 + r + 1;
                        mine[visible..].Clear();
                        mine = mine[..visible];
                        TensorPrimitives.Multiply(pre, scale, pre);
                        TensorPrimitives.Multiply(mine, scale, mine);
                        float max = TensorPrimitives.Max(mine);
                        if (prefixLen > 0) max = Math.Max(max, TensorPrimitives.Max(pre));
                        TensorPrimitives.Subtract(pre, max, pre);
                        TensorPrimitives.Exp(pre, pre);
                        TensorPrimitives.Subtract(mine, max, mine);
                        TensorPrimitives.Exp(mine, mine);
                        float inv = 1f / (TensorPrimitives.Sum(pre) + TensorPrimitives.Sum(mine));
                        TensorPrimitives.Multiply(pre, inv, pre);
                        TensorPrimitives.Multiply(mine, inv, mine);
                    }
                    WeightedRows(tile + ldP, ldRow, own, vOwn, cache.KvDim, hd, O(0), O(1), O(2), O(3));
                    if (prefixLen > 0) WeightedRows(tile, ldRow, prefixLen, vPrefix, prefix!.KvDim, hd, O(0), O(1), O(2), O(3), accumulate: true);
                }
            }
        });
    }
}
