using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Block;

/// <summary>Inference's attention for the decoder block: rotary positions, the new keys and values appended
/// to the KV cache, then the new queries against everything cached (a shared prefix included).</summary>
internal sealed unsafe class CachedBlockAttention(Model model, KvCache cache, int[] positions, int[] lengths, int tn, float* prefixScores, float[][] scratch)
    : IBlockAttention
{
    readonly float* _prefixScores = prefixScores;

    public void Forward(DecoderKernels kernels, int layer, float* qkv, float* output)
    {
        var c = model.Config;
        int qkvDim = c.QkvDim;
        kernels.Rope(qkv, qkvDim, positions, cache.Batch * tn, inverse: false);
        for (int b = 0; b < cache.Batch; b++)
            for (int i = 0; i < lengths[b]; i++)
            {
                float* row = qkv + ((long)b * tn + i) * qkvDim;
                new Span<float>(row + c.QDim, c.KvDim).CopyTo(new Span<float>(cache.KeyRow(layer, b, cache.Lengths[b] + i), c.KvDim));
                new Span<float>(row + c.QDim + c.KvDim, c.KvDim).CopyTo(new Span<float>(cache.ValueRow(layer, b, cache.Lengths[b] + i), c.KvDim));
            }
        CachedAttention.Forward(model.Gemm, qkv, cache, layer, lengths, tn, c.NHeads, c.NKvHeads, c.HeadDim, _prefixScores, output, scratch, model.Threads);
    }
}
