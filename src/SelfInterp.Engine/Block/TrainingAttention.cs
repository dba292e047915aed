using SelfInterp.Engine.Kernels;

namespace SelfInterp.Engine.Block;

/// <summary>Training's attention for the decoder block: rotary positions, then causal attention over the
/// batch itself, keeping each layer's probabilities for its backward.</summary>
internal sealed unsafe class TrainingAttention(Attention attention, int[] positions, int[] lengths, int batch, int t, float* probs, long probsPerLayer)
    : IBlockAttention
{
    readonly float* _probs = probs;

    public void Forward(DecoderKernels kernels, int layer, float* qkv, float* output)
    {
        kernels.Rope(qkv, attention.QkvDim, positions, batch * t, inverse: false);
        attention.Forward(qkv, lengths, batch, t, output, _probs + layer * probsPerLayer);
    }

    /// <summary>dqkv from doutput (all of q, k and v; overwrites), back through attention and the rotation.</summary>
    public void Backward(DecoderKernels kernels, int layer, float* doutput, float* qkv, float* dqkv)
    {
        kernels.AttendBackward(attention, doutput, qkv, _probs + layer * probsPerLayer, lengths, batch, t, dqkv);
        kernels.Rope(dqkv, attention.QkvDim, positions, batch * t, inverse: true);
    }
}
