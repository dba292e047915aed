using SelfInterp.Engine.Tests.Reference;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

/// <summary>Every reference kernel's backward against central finite differences in double precision,
/// for the loss L = Σ output·R with a random R.</summary>
public class KernelGradientTests
{
    const double H = 1e-6, Tolerance = 1e-6;
    readonly Rng _rng = new(11, "kernel-gradients");

    double[] Random(int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => _rng.NextGaussian() * scale).ToArray();

    static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    /// <summary>Compares analytic[i] with (f(x+h·e_i) − f(x−h·e_i)) / 2h for every i.</summary>
    static void AssertGradient(string what, double[] x, Func<double> f, double[] analytic)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double keep = x[i];
            x[i] = keep + H; double up = f();
            x[i] = keep - H; double down = f();
            x[i] = keep;
            double numeric = (up - down) / (2 * H);
            Assert.True(Math.Abs(numeric - analytic[i]) <= Tolerance * (1 + Math.Abs(numeric)),
                $"{what}[{i}]: finite difference {numeric}, backward {analytic[i]}");
        }
    }

    [Fact]
    public void Linear()
    {
        int n = 3, inDim = 4, outDim = 5;
        double[] x = Random(n * inDim), w = Random(outDim * inDim), r = Random(n * outDim);
        double Loss() { var y = new double[n * outDim]; ReferenceKernels.LinearForward<double>(x, w, n, inDim, outDim, y); return Dot(y, r); }
        double[] dx = new double[x.Length], dw = new double[w.Length];
        ReferenceKernels.LinearBackward<double>(r, x, w, n, inDim, outDim, dx, dw);
        AssertGradient("dx", x, Loss, dx);
        AssertGradient("dw", w, Loss, dw);
    }

    [Fact]
    public void RmsNorm()
    {
        int n = 3, dim = 6;
        double[] x = Random(n * dim), w = Random(dim), r = Random(n * dim);
        double Loss() { var y = new double[n * dim]; ReferenceKernels.RmsNormForward<double>(x, w, n, dim, 1e-5, y, new double[n]); return Dot(y, r); }
        var rstd = new double[n];
        ReferenceKernels.RmsNormForward<double>(x, w, n, dim, 1e-5, new double[n * dim], rstd);
        double[] dx = new double[x.Length], dw = new double[w.Length];
        ReferenceKernels.RmsNormBackward<double>(r, x, w, rstd, n, dim, dx, dw);
        AssertGradient("dx", x, Loss, dx);
        AssertGradient("dw", w, Loss, dw);
    }

    [Fact]
    public void Rope()
    {
        int n = 4, heads = 3, headDim = 4, stride = heads * headDim + 2;
        int[] positions = [0, 3, 1, 7];
        double[] x = Random(n * stride), r = Random(n * stride);
        double Loss() { var y = (double[])x.Clone(); ReferenceKernels.Rope<double>(y, stride, positions, n, heads, headDim, 100.0, false); return Dot(y, r); }
        var dx = (double[])r.Clone();
        ReferenceKernels.Rope<double>(dx, stride, positions, n, heads, headDim, 100.0, inverse: true);
        AssertGradient("dx", x, Loss, dx);
    }

    [Fact]
    public void AttentionWithGroupedHeadsAndPadding()
    {
        int batch = 2, t = 5, heads = 4, kvHeads = 2, headDim = 3, qkvDim = (heads + 2 * kvHeads) * headDim;
        int[] lengths = [5, 3];
        double[] qkv = Random(batch * t * qkvDim), r = Random(batch * t * heads * headDim);
        double Loss()
        {
            var o = new double[r.Length];
            ReferenceKernels.AttentionForward<double>(qkv, lengths, batch, t, heads, kvHeads, headDim, o, new double[batch * heads * t * t]);
            return Dot(o, r);
        }
        var probs = new double[batch * heads * t * t];
        ReferenceKernels.AttentionForward<double>(qkv, lengths, batch, t, heads, kvHeads, headDim, new double[r.Length], probs);
        var dqkv = new double[qkv.Length];
        ReferenceKernels.AttentionBackward<double>(r, qkv, probs, lengths, batch, t, heads, kvHeads, headDim, dqkv);
        AssertGradient("dqkv", qkv, Loss, dqkv);
        Assert.Contains(dqkv, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void SwiGlu()
    {
        int n = 3, hidden = 5;
        double[] gu = Random(n * 2 * hidden, 2), r = Random(n * hidden);
        double Loss() { var y = new double[n * hidden]; ReferenceKernels.SwiGluForward<double>(gu, n, hidden, y); return Dot(y, r); }
        var d = new double[gu.Length];
        ReferenceKernels.SwiGluBackward<double>(r, gu, n, hidden, d);
        AssertGradient("dgateUp", gu, Loss, d);
    }

    [Fact]
    public void CrossEntropy()
    {
        int m = 4, vocab = 7;
        int[] targets = [0, 6, 3, 3];
        double[] logits = Random(m * vocab, 3);
        double Loss() => ReferenceKernels.CrossEntropy<double>(logits, targets, m, vocab, new double[m * vocab]);
        var d = new double[logits.Length];
        ReferenceKernels.CrossEntropy<double>(logits, targets, m, vocab, d);
        AssertGradient("dlogits", logits, Loss, d);
    }

    [Fact]
    public void CrossEntropyWithSetTargets()
    {
        int m = 4, vocab = 7;
        int[][] sets = [[1, 2, 5], [6]];
        int[] targets = [Batch.AnyOf(0), 6, Batch.AnyOf(1), Batch.AnyOf(0)];
        double[] logits = Random(m * vocab, 5);
        double Loss() => ReferenceKernels.CrossEntropy<double>(logits, targets, m, vocab, new double[m * vocab], sets);
        var d = new double[logits.Length];
        ReferenceKernels.CrossEntropy<double>(logits, targets, m, vocab, d, sets);
        AssertGradient("dlogits", logits, Loss, d);
    }
}
