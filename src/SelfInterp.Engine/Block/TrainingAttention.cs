using SelfInterp.Engine.Kernels;

namespace SelfInterp.Engine;

/// <summary>Training's attention for the decoder block: rotary positions, then causal attention over the
/// batch itself, keeping each layer's probabilities for the backward.</summary>
internal sealed unsafe class TrainingAttention(Attention attention, int[] positions, int[] lengths, int batch, int t, float* probs, long probsPerLayer)
    : IBlockAttention
{
    readonly float* _probs = probs;

    public void Forward(DecoderKernels kernels, int layer, float* qkv, float* output)
    {
        kernels.Rope(qkv, attention.QkvDim, positions, batch * t, inverse: false);
        attention.Forward(qkv, lengths, batch, t, output, _probs + layer * probsPerLayer);
    }
}
