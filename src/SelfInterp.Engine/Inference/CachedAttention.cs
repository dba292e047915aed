using System.Numerics.Tensors;
using SelfInterp.Engine.Kernels;

namespace SelfInterp.Engine;

/// <summary>Attention of new query rows against a KV cache (shared prefix first, then the sequence's own
/// positions up to and including the query's). Split over (sequence, head) across threads.</summary>
internal static unsafe class CachedAttention
{
    /// <summary>qkv [B·Tn, qkvDim] (rotated); queries i &lt; newLengths[b] sit at own position cache.Lengths[b] + i,
    /// whose K/V must already be in the cache. output [B·Tn, heads·headDim], padding rows zero.</summary>
    public static void Forward(float* qkv, KvCache cache, int layer, int[] newLengths, int tn, int heads, int kvHeads, int headDim,
        float* output, float[][] scratch, int threads)
    {
        int B = cache.Batch, qkvDim = (heads + 2 * kvHeads) * headDim, oDim = heads * headDim, group = heads / kvHeads;
        float scale = 1f / MathF.Sqrt(headDim);
        int prefixLen = cache.PrefixLength;
        var prefix = cache.Prefix;
        Workers.For(B * heads, threads, (item, w) =>
        {
            int b = item / heads, h = item % heads, g = h / group;
            fixed (float* scores = scratch[w])
                for (int i = 0; i < tn; i++)
                {
                    float* o = output + ((long)b * tn + i) * oDim + h * headDim;
                    new Span<float>(o, headDim).Clear();
                    if (i >= newLengths[b]) continue;
                    float* q = qkv + ((long)b * tn + i) * qkvDim + h * headDim;
                    int own = cache.Lengths[b] + i + 1, total = prefixLen + own;
                    for (int j = 0; j < prefixLen; j++) scores[j] = Simd.Dot(q, prefix!.KeyRow(layer, 0, j) + g * headDim, headDim) * scale;
                    for (int j = 0; j < own; j++) scores[prefixLen + j] = Simd.Dot(q, cache.KeyRow(layer, b, j) + g * headDim, headDim) * scale;
                    var row = new Span<float>(scores, total);
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
                    for (int j = 0; j < prefixLen; j++) Simd.Axpy(scores[j], prefix!.ValueRow(layer, 0, j) + g * headDim, o, headDim);
                    for (int j = 0; j < own; j++) Simd.Axpy(scores[prefixLen + j], cache.ValueRow(layer, b, j) + g * headDim, o, headDim);
                }
        });
    }
}
