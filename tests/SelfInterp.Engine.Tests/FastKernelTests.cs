using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Tests.Reference;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

/// <summary>Each fast float kernel (forward and backward) against its reference kernel.</summary>
public unsafe class FastKernelTests
{
    readonly Rng _rng = new(5, "fast-kernels");

    float[] Random(int n, float scale = 1) => Enumerable.Range(0, n).Select(_ => (float)(_rng.NextGaussian() * scale)).ToArray();

    static void Close(float[] expected, float[] actual, float tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: reference {expected[i]}, fast {actual[i]}");
    }

    [Fact]
    public void EmbeddingForwardAndBackward()
    {
        int v = 9, d = 5, n = 6;
        int[] tokens = [1, 8, 1, 0, 4, 1];
        var table = Random(v * d);
        var y = new float[n * d];
        Embedding.Forward(tokens, table, n, d, y);
        for (int i = 0; i < n; i++) Assert.Equal(table.AsSpan(tokens[i] * d, d).ToArray(), y.AsSpan(i * d, d).ToArray());
        var dy = Random(n * d);
        var dt = new float[v * d];
        Embedding.Backward(dy, tokens, n, d, dt);
        var expected = new float[v * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) expected[tokens[i] * d + j] += dy[i * d + j];
        Close(expected, dt, 1e-6f, "dtable");
    }

    [Fact]
    public void LinearThroughGemm()
    {
        int n = 10, inDim = 24, outDim = 17;
        var gemm = new ManagedGemm(2);
        float[] x = Random(n * inDim), w = Random(outDim * inDim), dy = Random(n * outDim);
        float[] y = new float[n * outDim], yRef = new float[n * outDim], dx = new float[n * inDim], dxRef = new float[n * inDim];
        float[] dw = new float[w.Length], dwRef = new float[w.Length];
        fixed (float* px = x, pw = w, py = y, pdy = dy, pdx = dx, pdw = dw)
        {
            Linear.Forward(gemm, px, pw, n, inDim, outDim, 0f, py, outDim);
            Linear.Backward(gemm, pdy, outDim, px, pw, n, inDim, outDim, 0f, pdx, pdw);
        }
        ReferenceKernels.LinearForward<float>(x, w, n, inDim, outDim, yRef);
        ReferenceKernels.LinearBackward<float>(dy, x, w, n, inDim, outDim, dxRef, dwRef);
        Close(yRef, y, 1e-5f, "y");
        Close(dxRef, dx, 1e-5f, "dx");
        Close(dwRef, dw, 1e-5f, "dw");
    }

    [Fact]
    public void RmsNormForwardAndBackward()
    {
        int n = 70, d = 33;
        float[] x = Random(n * d), w = Random(d), dy = Random(n * d), dx0 = Random(n * d);
        float[] y = new float[n * d], rstd = new float[n], yRef = new float[n * d], rstdRef = new float[n];
        float[] dx = (float[])dx0.Clone(), dxRef = (float[])dx0.Clone(), dw = new float[d], dwRef = new float[d];
        fixed (float* px = x, pw = w, py = y, pr = rstd, pdy = dy, pdx = dx, pdw = dw)
        {
            RmsNorm.Forward(px, pw, n, d, 1e-5f, py, pr, 2);
            RmsNorm.Backward(pdy, px, pw, pr, n, d, pdx, pdw, 2);
        }
        ReferenceKernels.RmsNormForward<float>(x, w, n, d, 1e-5f, yRef, rstdRef);
        ReferenceKernels.RmsNormBackward<float>(dy, x, w, rstdRef, n, d, dxRef, dwRef);
        Close(yRef, y, 1e-5f, "y");
        Close(rstdRef, rstd, 1e-5f, "rstd");
        Close(dxRef, dx, 1e-4f, "dx");
        Close(dwRef, dw, 1e-4f, "dw");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rope(bool inverse)
    {
        int n = 5, heads = 3, hd = 40, stride = heads * hd + 4; // half = 20: vector lanes and a scalar tail
        int[] positions = [0, 9, 2, 15, 4];
        var rope = new Rope(hd, 16, 500f);
        var x = Random(n * stride);
        var expected = (float[])x.Clone();
        ReferenceKernels.Rope<float>(expected, stride, positions, n, heads, hd, 500.0, inverse);
        fixed (float* px = x) rope.Apply(px, stride, positions, n, heads, inverse);
        Close(expected, x, 1e-5f, "rotated");
    }

    [Theory]
    [InlineData(4, 4, 8, 1)]
    [InlineData(4, 2, 8, 2)]
    [InlineData(6, 1, 12, 2)]
    [InlineData(2, 2, 32, 2)]
    [InlineData(3, 3, 20, 1)]
    public void AttentionForwardAndBackward(int heads, int kvHeads, int hd, int threads)
    {
        int batch = 3, t = 11, qkvDim = (heads + 2 * kvHeads) * hd, oDim = heads * hd;
        int[] lengths = [11, 4, 7];
        float[] qkv = Random(batch * t * qkvDim), dy = Random(batch * t * oDim);
        float[] o = new float[batch * t * oDim], p = new float[batch * heads * t * t], dqkv = Random(qkv.Length);
        float[] oRef = new float[o.Length], pRef = new float[p.Length], dRef = new float[qkv.Length];
        var attention = new Attention(heads, kvHeads, hd, t, threads);
        fixed (float* pq = qkv, po = o, pp = p, pdy = dy, pd = dqkv)
        {
            attention.Forward(pq, lengths, batch, t, po, pp);
            attention.Backward(pdy, pq, pp, lengths, batch, t, pd);
        }
        ReferenceKernels.AttentionForward<float>(qkv, lengths, batch, t, heads, kvHeads, hd, oRef, pRef);
        ReferenceKernels.AttentionBackward<float>(dy, qkv, pRef, lengths, batch, t, heads, kvHeads, hd, dRef);
        Close(oRef, o, 1e-5f, "output");
        Close(pRef, p, 1e-5f, "probs");
        Close(dRef, dqkv, 1e-4f, "dqkv");
    }

    [Fact]
    public void SwiGluForwardAndBackward()
    {
        int n = 9, hidden = 37;
        float[] gu = Random(n * 2 * hidden, 3), dy = Random(n * hidden);
        float[] y = new float[n * hidden], yRef = new float[y.Length], d = new float[gu.Length], dRef = new float[gu.Length];
        fixed (float* pg = gu, py = y, pdy = dy, pd = d)
        {
            SwiGlu.Forward(pg, n, hidden, py, 2);
            SwiGlu.Backward(pdy, pg, n, hidden, pd, 2);
        }
        ReferenceKernels.SwiGluForward<float>(gu, n, hidden, yRef);
        ReferenceKernels.SwiGluBackward<float>(dy, gu, n, hidden, dRef);
        Close(yRef, y, 1e-5f, "y");
        Close(dRef, d, 1e-5f, "dgateUp");
    }

    [Fact]
    public void CrossEntropyFusedForwardBackward()
    {
        int m = 6, vocab = 300;
        int[] targets = [0, 299, 5, 5, 100, 42];
        var logits = Random(m * vocab, 4);
        var dRef = new float[logits.Length];
        float lossRef = ReferenceKernels.CrossEntropy<float>(logits, targets, m, vocab, dRef);
        var losses = new float[m];
        fixed (float* pl = logits, ploss = losses) CrossEntropy.Forward(pl, targets, m, vocab, ploss);
        Assert.Equal(lossRef, losses.Average(), 1e-4);
        double sum;
        fixed (float* pl = logits) sum = CrossEntropy.ForwardBackwardInPlace(pl, targets, m, vocab, 1f / m, 2);
        Assert.Equal(lossRef, sum / m, 1e-4);
        Close(dRef, logits, 1e-5f, "dlogits");
    }

    [Fact]
    public void CrossEntropyFusedWithSetTargets()
    {
        int m = 5, vocab = 300;
        int[][] sets = [[0, 7, 299], Enumerable.Range(40, 10).ToArray()];
        int[] targets = [Batch.AnyOf(0), 12, Batch.AnyOf(1), Batch.AnyOf(1), 299];
        var logits = Random(m * vocab, 6);
        var dRef = new float[logits.Length];
        float lossRef = ReferenceKernels.CrossEntropy<float>(logits, targets, m, vocab, dRef, sets);
        double sum;
        fixed (float* pl = logits) sum = CrossEntropy.ForwardBackwardInPlace(pl, targets, m, vocab, 1f / m, 2, sets);
        Assert.Equal(lossRef, sum / m, 1e-4);
        Close(dRef, logits, 1e-5f, "dlogits");
    }
}
