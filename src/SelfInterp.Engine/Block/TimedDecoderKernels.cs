using System.Diagnostics;
using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Block;

/// <summary>Every kernel of <see cref="DecoderKernels"/>, timed into <see cref="KernelProfiler"/> (as Llm.cs's
/// timed variant decorates its plain one).</summary>
internal sealed unsafe class TimedDecoderKernels(Model model) : DecoderKernels(model)
{
    static void Time(string kernel, long start) => KernelProfiler.Book(kernel, Stopwatch.GetElapsedTime(start).TotalMilliseconds);

    public override void Embed(int[] tokens, int[] positions, int n, float* x)
    { long t = Stopwatch.GetTimestamp(); base.Embed(tokens, positions, n, x); Time("embedding", t); }

    public override void EmbedBackward(float* dx, int[] tokens, int[] positions, int n, bool tokenTable, bool positionTable)
    { long t = Stopwatch.GetTimestamp(); base.EmbedBackward(dx, tokens, positions, n, tokenTable, positionTable); Time("embedding bwd", t); }

    public override void RmsNorm(float* x, long weight, int n, float* y, float* rstd)
    { long t = Stopwatch.GetTimestamp(); base.RmsNorm(x, weight, n, y, rstd); Time("rmsnorm", t); }

    public override void RmsNormBackward(float* dy, float* x, long weight, float* rstd, int n, float* dx, float* dweight)
    { long t = Stopwatch.GetTimestamp(); base.RmsNormBackward(dy, x, weight, rstd, n, dx, dweight); Time("rmsnorm bwd", t); }

    public override void Linear(float* x, long weight, int n, int inDim, int outDim, float beta, float* y, int ldy)
    { long t = Stopwatch.GetTimestamp(); base.Linear(x, weight, n, inDim, outDim, beta, y, ldy); Time("gemm", t); }

    public override void LinearBackward(float* dy, int ldy, float* x, long weight, int n, int inDim, int outDim, float dxBeta, float* dx, float* dweight)
    { long t = Stopwatch.GetTimestamp(); base.LinearBackward(dy, ldy, x, weight, n, inDim, outDim, dxBeta, dx, dweight); Time("gemm bwd", t); }

    public override void AddBias(float* rows, long bias, int n, int width)
    { long t = Stopwatch.GetTimestamp(); base.AddBias(rows, bias, n, width); Time("bias", t); }

    public override void BiasBackward(float* dy, int n, int width, float* dbias)
    { long t = Stopwatch.GetTimestamp(); base.BiasBackward(dy, n, width, dbias); Time("bias bwd", t); }

    public override void LoraAdd(int layer, ProjectionGroup group, float* x, int n, float* u, float* y)
    { long t = Stopwatch.GetTimestamp(); base.LoraAdd(layer, group, x, n, u, y); Time("lora", t); }

    public override void LoraBackward(int layer, ProjectionGroup group, float* dy, float* x, float* u, int n, float* du, float* dx)
    { long t = Stopwatch.GetTimestamp(); base.LoraBackward(layer, group, dy, x, u, n, du, dx); Time("lora bwd", t); }

    public override void Rope(float* rows, int stride, ReadOnlySpan<int> positions, int n, bool inverse)
    { long t = Stopwatch.GetTimestamp(); base.Rope(rows, stride, positions, n, inverse); Time(inverse ? "rope bwd" : "rope", t); }

    public override void SwiGlu(float* gateUp, int n, float* output)
    { long t = Stopwatch.GetTimestamp(); base.SwiGlu(gateUp, n, output); Time("swiglu", t); }

    public override void SwiGluBackward(float* doutput, float* gateUp, int n, float* dgateUp)
    { long t = Stopwatch.GetTimestamp(); base.SwiGluBackward(doutput, gateUp, n, dgateUp); Time("swiglu bwd", t); }

    public override void Copy(float* source, float* destination, long count)
    { long t = Stopwatch.GetTimestamp(); base.Copy(source, destination, count); Time("copy", t); }

    // Attention's own rope (and, cached, its KV writes) are timed inside it too: its total includes them.
    public override void Attend(IBlockAttention attention, int layer, float* qkv, float* output)
    { long t = Stopwatch.GetTimestamp(); base.Attend(attention, layer, qkv, output); Time("attention", t); }

    public override void AttendBackward(Attention attention, float* doutput, float* qkv, float* probs, int[] lengths, int batch, int tn, float* dqkv)
    { long t = Stopwatch.GetTimestamp(); base.AttendBackward(attention, doutput, qkv, probs, lengths, batch, tn, dqkv); Time("attention bwd", t); }

    public override double CrossEntropyInPlace(float* logits, int[] targets, int m, float scale, IReadOnlyList<int[]> sets)
    { long t = Stopwatch.GetTimestamp(); double r = base.CrossEntropyInPlace(logits, targets, m, scale, sets); Time("cross-entropy", t); return r; }
}
