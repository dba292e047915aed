using System.Diagnostics;
using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Training;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Bench.Engine;

/// <summary>Times each non-GEMM kernel of a training step at the benchmark's sizes (ms per step, all layers).</summary>
public static unsafe class KernelTimes
{
    public static void Run(ModelConfig c, int batch, int t, int threads)
    {
        int n = batch * t, d = c.Dim, hid = c.MlpHidden, qkvDim = c.QkvDim, L = c.NLayers;
        var rng = new Rng(5, "kernel-times");
        float[] Rand(long len) { var a = GC.AllocateArray<float>((int)len, pinned: true); for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextGaussian(); return a; }
        var x = Rand(n * d); var w = Rand(d); var y = Rand(n * d); var rstd = Rand(n); var dx = Rand(n * d); var dw = Rand(d);
        var qkv = Rand((long)n * qkvDim); var att = Rand((long)n * c.QDim); var probs = Rand((long)batch * c.NHeads * t * t); var dqkv = Rand((long)n * qkvDim);
        var gu = Rand((long)n * 2 * hid); var sw = Rand((long)n * hid); var dgu = Rand((long)n * 2 * hid);
        var lengths = Enumerable.Repeat(t, batch).ToArray();
        var positions = Enumerable.Range(0, n).Select(i => i % t).ToArray();
        var attention = new Attention(c.NHeads, c.NKvHeads, c.HeadDim, t, threads);
        var rope = new Rope(c.HeadDim, t, c.RopeTheta);
        var parameters = Rand(2_000_000); var grads = Rand(2_000_000);
        var adam = new AdamW(parameters.Length, new bool[parameters.Length]);
        var logits = Rand((long)n * c.VocabSize); var targets = Enumerable.Range(0, n).Select(i => i % c.VocabSize).ToArray();

        fixed (float* px = x, pw = w, py = y, pr = rstd, pdx = dx, pdw = dw, pq = qkv, pa = att, pp = probs, pdq = dqkv, pgu = gu, psw = sw, pdgu = dgu, pl = logits)
        {
            float* qx = px, qw = pw, qy = py, qr = pr, qdx = pdx, qdw = pdw, qq = pq, qa = pa, qp = pp, qdq = pdq, qgu = pgu, qsw = psw, qdgu = pdgu, ql = pl;
            Time("rmsnorm fwd (x2 per layer +1)", 2 * L + 1, () => RmsNorm.Forward(qx, qw, n, d, 1e-5f, qy, qr, threads));
            Time("rmsnorm bwd (x2 per layer +1)", 2 * L + 1, () => RmsNorm.Backward(qy, qx, qw, qr, n, d, qdx, qdw, threads));
            Time("rope fwd+bwd", 2 * L, () => rope.Apply(qq, qkvDim, positions, n, c.NHeads + c.NKvHeads, false));
            Time("attention fwd", L, () => attention.Forward(qq, lengths, batch, t, qa, qp));
            Time("attention bwd", L, () => attention.Backward(qa, qq, qp, lengths, batch, t, qdq));
            Time("swiglu fwd", L, () => SwiGlu.Forward(qgu, n, hid, qsw, threads));
            Time("swiglu bwd", L, () => SwiGlu.Backward(qsw, qgu, n, hid, qdgu, threads));
            Time("cross-entropy fused", 1, () => CrossEntropy.ForwardBackwardInPlace(ql, targets, n, c.VocabSize, 1f / n, threads));
            Time("adamw", 1, () => adam.Step(parameters, grads, 1e-3f, threads));
            Time("grad norm", 1, () => Trainer.GlobalNorm(grads, threads));
        }
    }

    static void Time(string name, int perStep, Action body)
    {
        body();
        double ms = double.MaxValue; // fastest of several: the least disturbed by other processes
        for (int i = 0; i < 10; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            ms = Math.Min(ms, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        Console.WriteLine($"kernel {name,-32} {ms,8:F2} ms × {perStep} = {ms * perStep,8:F2} ms/step");
    }
}
