using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>Causal multi-head self-attention with grouped KV heads over a right-padded batch, for training:
/// the forward keeps the softmax probabilities for the backward.</summary>
/// <remarks>qkv rows are [q heads | k heads | v heads], already rotated. Query i of sequence b attends keys
/// 0..i; rows at or beyond lengths[b] (padding) get zero output. Work is split over (sequence, head) in the
/// forward and (sequence, kv head) in the backward, so dK/dV of a group are summed by one thread.</remarks>
public sealed unsafe class Attention
{
    readonly int _heads, _kvHeads, _headDim, _maxT, _threads;
    readonly float[][] _scratch;

    public Attention(int heads, int kvHeads, int headDim, int maxT, int threads)
    {
        (_heads, _kvHeads, _headDim, _maxT, _threads) = (heads, kvHeads, headDim, maxT, Math.Max(1, threads));
        _scratch = new float[_threads][];
        for (int w = 0; w < _threads; w++) _scratch[w] = GC.AllocateArray<float>(3 * headDim * maxT + maxT, pinned: true);
    }

    int QkvDim => (_heads + 2 * _kvHeads) * _headDim;

    /// <summary>output [B·T, heads·headDim]; probs [B, heads, T, T].</summary>
    public void Forward(float* qkv, ReadOnlySpan<int> lengths, int batch, int t, float* output, float* probs)
    {
        if (t > _maxT) throw new ArgumentOutOfRangeException(nameof(t), $"sequence length {t} > {_maxT}");
        int hd = _headDim, H = _heads, qkvDim = QkvDim, group = _heads / _kvHeads, oDim = H * hd;
        float scale = 1f / MathF.Sqrt(hd);
        int[] lens = lengths.ToArray();
        Workers.For(batch * H, _threads, (item, w) =>
        {
            int b = item / H, h = item % H, g = h / group, len = lens[b];
            fixed (float* scratch = _scratch[w])
            {
                float* kt = scratch; // [hd, t] keys of this kv head, transposed
                float* baseRow = qkv + (long)b * t * qkvDim;
                for (int j = 0; j < len; j++)
                {
                    float* k = baseRow + (long)j * qkvDim + oDim + g * hd;
                    for (int d = 0; d < hd; d++) kt[d * t + j] = k[d];
                }
                for (int i = 0; i < t; i++)
                {
                    float* p = probs + (((long)b * H + h) * t + i) * t;
                    float* o = output + ((long)b * t + i) * oDim + h * hd;
                    new Span<float>(p, t).Clear();
                    new Span<float>(o, hd).Clear();
                    if (i >= len) continue;
                    float* q = baseRow + (long)i * qkvDim + h * hd;
                    int n = i + 1;
                    for (int d = 0; d < hd; d++) Simd.Axpy(q[d] * scale, kt + d * t, p, n);
                    var row = new Span<float>(p, n);
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
                    for (int j = 0; j < n; j++)
                        Simd.Axpy(p[j], baseRow + (long)j * qkvDim + oDim + _kvHeads * hd + g * hd, o, hd);
                }
            }
        });
    }

    /// <summary>Writes dqkv (all of q, k and v parts; overwrites) from doutput.</summary>
    public void Backward(float* doutput, float* qkv, float* probs, ReadOnlySpan<int> lengths, int batch, int t, float* dqkv)
    {
        int hd = _headDim, H = _heads, KV = _kvHeads, qkvDim = QkvDim, group = H / KV, oDim = H * hd;
        float scale = 1f / MathF.Sqrt(hd);
        int[] lens = lengths.ToArray();
        Workers.For(batch * KV, _threads, (item, w) =>
        {
            int b = item / KV, g = item % KV, len = lens[b];
            fixed (float* scratch = _scratch[w])
            {
                float* vt = scratch, dk = scratch + hd * t, dv = dk + hd * t, dp = dv + hd * t;
                new Span<float>(dk, 2 * hd * t).Clear();
                float* baseRow = qkv + (long)b * t * qkvDim;
                float* dBase = dqkv + (long)b * t * qkvDim;
                int kOff = oDim + g * hd, vOff = oDim + KV * hd + g * hd;
                for (int j = 0; j < len; j++)
                {
                    float* v = baseRow + (long)j * qkvDim + vOff;
                    for (int d = 0; d < hd; d++) vt[d * t + j] = v[d];
                }
                for (int h = g * group; h < (g + 1) * group; h++)
                    for (int i = 0; i < t; i++)
                    {
                        float* dq = dBase + (long)i * qkvDim + h * hd;
                        new Span<float>(dq, hd).Clear();
                        if (i >= len) continue;
                        int n = i + 1;
                        float* p = probs + (((long)b * H + h) * t + i) * t;
                        float* dy = doutput + ((long)b * t + i) * oDim + h * hd;
                        float* q = baseRow + (long)i * qkvDim + h * hd;
                        new Span<float>(dp, n).Clear();
                        for (int d = 0; d < hd; d++) Simd.Axpy(dy[d], vt + d * t, dp, n);
                        for (int j = 0; j < n; j++) Simd.Axpy(p[j], dy, dv + j * hd, hd);
                        float sum = Simd.Dot(p, dp, n);
                        for (int j = 0; j < n; j++)
                        {
                            float ds = p[j] * (dp[j] - sum) * scale;
                            Simd.Axpy(ds, baseRow + (long)j * qkvDim + kOff, dq, hd);
                            Simd.Axpy(ds, q, dk + j * hd, hd);
                        }
                    }
                for (int j = 0; j < t; j++)
                {
                    new Span<float>(dk + j * hd, hd).CopyTo(new Span<float>(dBase + (long)j * qkvDim + kOff, hd));
                    new Span<float>(dv + j * hd, hd).CopyTo(new Span<float>(dBase + (long)j * qkvDim + vOff, hd));
                }
            }
        });
    }
}
