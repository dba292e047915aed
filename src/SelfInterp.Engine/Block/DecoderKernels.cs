using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Block;

/// <summary>The kernels of a decoder pass, bound to one model (its GEMM, threads, norm epsilon and adapters).
/// Plain calls; <see cref="TimedDecoderKernels"/> decorates every one with timing, so the passes themselves
/// carry no profiling code.</summary>
internal unsafe class DecoderKernels(Model model)
{
    protected readonly Model Model = model;
    ModelConfig C => Model.Config;

    /// <summary>The kernels a pass should use now: timed while <see cref="KernelProfiler.Enabled"/>.</summary>
    public static DecoderKernels For(Model model) => KernelProfiler.Enabled ? new TimedDecoderKernels(model) : model.PlainKernels;

    /// <summary>x = token embeddings (+ learned position embeddings).</summary>
    public virtual void Embed(int[] tokens, int[] positions, int n, float* x)
    {
        var output = new Span<float>(x, n * C.Dim);
        Embedding.Forward(tokens, Model.Parameters.AsSpan((int)Model.Layout.Embedding, C.VocabSize * C.Dim), n, C.Dim, output);
        if (C.LearnedPositions)
            Embedding.ForwardAdd(positions, Model.Parameters.AsSpan((int)Model.Layout.Positions, C.MaxSeqLen * C.Dim), n, C.Dim, output);
    }

    public virtual void EmbedBackward(float* dx, int[] tokens, int[] positions, int n, bool tokenTable, bool positionTable)
    {
        var d = new ReadOnlySpan<float>(dx, n * C.Dim);
        if (tokenTable) Embedding.Backward(d, tokens, n, C.Dim, Model.Gradients.AsSpan((int)Model.Layout.Embedding, C.VocabSize * C.Dim));
        if (C.LearnedPositions && positionTable)
            Embedding.Backward(d, positions, n, C.Dim, Model.Gradients.AsSpan((int)Model.Layout.Positions, C.MaxSeqLen * C.Dim));
    }

    public virtual void RmsNorm(float* x, long weight, int n, float* y, float* rstd) =>
        Kernels.RmsNorm.Forward(x, Model.P + weight, n, C.Dim, C.NormEps, y, rstd, Model.Threads);

    public virtual void RmsNormBackward(float* dy, float* x, long weight, float* rstd, int n, float* dx, float* dweight) =>
        Kernels.RmsNorm.Backward(dy, x, Model.P + weight, rstd, n, C.Dim, dx, dweight, Model.Threads);

    public virtual void Linear(float* x, long weight, int n, int inDim, int outDim, float beta, float* y, int ldy) =>
        Kernels.Linear.Forward(Model.Gemm, x, Model.P + weight, n, inDim, outDim, beta, y, ldy);

    public virtual void LinearBackward(float* dy, int ldy, float* x, long weight, int n, int inDim, int outDim, float dxBeta, float* dx, float* dweight) =>
        Kernels.Linear.Backward(Model.Gemm, dy, ldy, x, Model.P + weight, n, inDim, outDim, dxBeta, dx, dweight);

    public virtual void AddBias(float* rows, long bias, int n, int width) => Bias.Forward(rows, Model.P + bias, n, width, Model.Threads);

    public virtual void BiasBackward(float* dy, int n, int width, float* dbias) => Bias.Backward(dy, n, width, dbias);

    public virtual void LoraAdd(int layer, ProjectionGroup group, float* x, int n, float* u, float* y) =>
        Model.Lora?.ForwardAdd(Model.Gemm, layer, group, x, n, u, y);

    public virtual void LoraBackward(int layer, ProjectionGroup group, float* dy, float* x, float* u, int n, float* du, float* dx) =>
        Model.Lora?.Backward(Model.Gemm, layer, group, dy, x, u, n, du, dx);

    public virtual void Rope(float* rows, int stride, ReadOnlySpan<int> positions, int n, bool inverse) =>
        Model.Rope.Apply(rows, stride, positions, n, C.NHeads + C.NKvHeads, inverse);

    public virtual void SwiGlu(float* gateUp, int n, float* output) => Kernels.SwiGlu.Forward(gateUp, n, C.MlpHidden, output, Model.Threads);

    public virtual void SwiGluBackward(float* doutput, float* gateUp, int n, float* dgateUp) =>
        Kernels.SwiGlu.Backward(doutput, gateUp, n, C.MlpHidden, dgateUp, Model.Threads);

    public virtual void Copy(float* source, float* destination, long count)
    {
        for (long i = 0; i < count; i += int.MaxValue)
        {
            int len = (int)Math.Min(int.MaxValue, count - i);
            new Span<float>(source + i, len).CopyTo(new Span<float>(destination + i, len));
        }
    }

    public virtual void Attend(IBlockAttention attention, int layer, float* qkv, float* output) => attention.Forward(this, layer, qkv, output);

    public virtual void AttendBackward(Attention attention, float* doutput, float* qkv, float* probs, int[] lengths, int batch, int t, float* dqkv) =>
        attention.Backward(doutput, qkv, probs, lengths, batch, t, dqkv);

    public virtual double CrossEntropyInPlace(float* logits, int[] targets, int m, float scale, IReadOnlyList<int[]> sets) =>
        CrossEntropy.ForwardBackwardInPlace(logits, targets, m, C.VocabSize, scale, Model.Threads, sets);
}
