using System.Numerics.Tensors;
using SelfInterp.Engine.Gemm;

namespace SelfInterp.Engine.Kernels;

/// <summary>Causal multi-head self-attention with grouped KV heads over a right-padded batch, for training:
/// the forward keeps the softmax probabilities for the backward.</summary>
/// <remarks>qkv rows are [q heads | k heads | v heads], already rotated. Query i of sequence b attends keys
/// 0..i; rows at or beyond lengths[b] (padding) get zero output. Work is split over (sequence, head) in the
/// forward and (sequence, kv head) in the backward, so dK/dV of a group are summed by one thread. The
/// products run through a single-threaded GEMM per worker, in blocks of <see cref="Block"/> query
/// rows that only touch the keys they can see, so little of the masked upper triangle is computed.</remarks>
public sealed unsafe class Attention
{
    const int Block = 32;
    readonly int _heads, _kvHeads, _headDim, _maxT, _threads;
    readonly float[][] _scratch;
    readonly IGemm[] _gemms;

    /// <param name="singleThreadedGemm">Makes one GEMM per worker for the per-head products (default: managed).</param>
    public Attention(int heads, int kvHeads, int headDim, int maxT, int threads, Func<IGemm>? singleThreadedGemm = null)
    {
        (_heads, _kvHeads, _headDim, _maxT, _threads) = (heads, kvHeads, headDim, maxT, Math.Max(1, threads));
        _scratch = new float[_threads][];
        _gemms = new IGemm[_threads];
        for (int w = 0; w < _threads; w++)
        {
            _scratch[w] = GC.AllocateArray<float>(2 * headDim * maxT + maxT * maxT, pinned: true);
            _gemms[w] = singleThreadedGemm?.Invoke() ?? new ManagedGemm(1);
        }
    }

    int QkvDim => (_heads + 2 * _kvHeads) * _headDim;

    /// <summary>output [B·T, heads·headDim]; probs [B, heads, T, T].</summary>
    public void Forward(float* qkv, ReadOnlySpan<int> lengths, int batch, int t, float* output, float* probs)
    {
        if (t > _maxT) throw new ArgumentOutOfRangeException(nameof(t), $"sequence length {t} > {_maxT}");
        int hd = _headDim, H = _heads, qkvDim = QkvDim, group = _heads / _kvHeads, oDim = H * hd, kvDim = _kvHeads * hd;
        float scale = 1f / MathF.Sqrt(hd);
        int[] lens = lengths.ToArray();
        Workers.For(batch * H, _threads, (item, w) =>
        {
            int b = item / H, h = item % H, g = h / group, len = lens[b];
            var gemm = _gemms[w];
            float* q = qkv + (long)b * t * qkvDim + h * hd;
            float* k = qkv + (long)b * t * qkvDim + oDim + g * hd;
            float* v = k + kvDim;
            float* p = probs + ((long)b * H + h) * t * t;
            float* o = output + (long)b * t * oDim + h * hd;
            for (int i0 = 0; i0 < len; i0 += Block)
            {
                int rows = Math.Min(Block, len - i0), keys = i0 + rows;
                gemm.Multiply(q + (long)i0 * qkvDim, qkvDim, false, k, qkvDim, true, rows, keys, hd, scale, 0f, p + (long)i0 * t, t);
                for (int i = i0; i < i0 + rows; i++)
                {
                    var row = new Span<float>(p + (long)i * t, i + 1);
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
                    new Span<float>(p + (long)i * t + i + 1, t - i - 1).Clear();
                }
                gemm.Multiply(p + (long)i0 * t, t, false, v, qkvDim, false, rows, hd, keys, 1f, 0f, o + (long)i0 * oDim, oDim);
            }
            for (int i = len; i < t; i++)
            {
                new Span<float>(p + (long)i * t, t).Clear();
                new Span<float>(o + (long)i * oDim, hd).Clear();
            }
        });
    }

    /// <summary>Writes dqkv (all of q, k and v parts; overwrites) from doutput.</summary>
    public void Backward(float* doutput, float* qkv, float* probs, ReadOnlySpan<int> lengths, int batch, int t, float* dqkv)
    {
        int hd = _headDim, H = _heads, KV = _kvHeads, qkvDim = QkvDim, group = H / KV, oDim = H * hd, kvDim = KV * hd;
        float scale = 1f / MathF.Sqrt(hd);
        int[] lens = lengths.ToArray();
        Workers.For(batch * KV, _threads, (item, w) =>
        {
            int b = item / KV, g = item % KV, len = lens[b];
            var gemm = _gemms[w];
            fixed (float* scratch = _scratch[w])
            {
                float* dk = scratch, dv = dk + hd * t, ds = dv + hd * t; // dK, dV [t, hd]; dS [t, t]
                new Span<float>(dk, 2 * hd * t).Clear();
                float* k = qkv + (long)b * t * qkvDim + oDim + g * hd, v = k + kvDim;
                for (int h = g * group; h < (g + 1) * group; h++)
                {
                    float* q = qkv + (long)b * t * qkvDim + h * hd;
                    float* dq = dqkv + (long)b * t * qkvDim + h * hd;
                    float* p = probs + ((long)b * H + h) * t * t;
                    float* dy = doutput + (long)b * t * oDim + h * hd;
                    for (int i0 = 0; i0 < len; i0 += Block)
                    {
                        int rows = Math.Min(Block, len - i0), keys = i0 + rows;
                        float* pb = p + (long)i0 * t, dsb = ds + (long)i0 * t;
                        // dP = dY·Vᵀ, then dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale
                        gemm.Multiply(dy + (long)i0 * oDim, oDim, false, v, qkvDim, true, rows, keys, hd, 1f, 0f, dsb, t);
                        for (int i = i0; i < i0 + rows; i++)
                        {
                            var pr = new ReadOnlySpan<float>(p + (long)i * t, i + 1);
                            var dr = new Span<float>(ds + (long)i * t, keys);
                            float dot = TensorPrimitives.Dot(pr, dr[..(i + 1)]);
                            TensorPrimitives.Subtract(dr[..(i + 1)], dot, dr[..(i + 1)]);
                            TensorPrimitives.Multiply(dr[..(i + 1)], pr, dr[..(i + 1)]);
                            TensorPrimitives.Multiply(dr[..(i + 1)], scale, dr[..(i + 1)]);
                            dr[(i + 1)..].Clear();
                        }
                        // dV += Pᵀ·dY; dQ = dS·K; dK += dSᵀ·Q
                        gemm.Multiply(pb, t, true, dy + (long)i0 * oDim, oDim, false, keys, hd, rows, 1f, 1f, dv, hd);
                        gemm.Multiply(dsb, t, false, k, qkvDim, false, rows, hd, keys, 1f, 0f, dq + (long)i0 * qkvDim, qkvDim);
                        gemm.Multiply(dsb, t, true, q + (long)i0 * qkvDim, qkvDim, false, keys, hd, rows, 1f, 1f, dk, hd);
                    }
                    for (int i = len; i < t; i++) new Span<float>(dq + (long)i * qkvDim, hd).Clear();
                }
                float* dkOut = dqkv + (long)b * t * qkvDim + oDim + g * hd, dvOut = dkOut + kvDim;
                for (int j = 0; j < t; j++)
                {
                    new Span<float>(dk + j * hd, hd).CopyTo(new Span<float>(dkOut + (long)j * qkvDim, hd));
                    new Span<float>(dv + j * hd, hd).CopyTo(new Span<float>(dvOut + (long)j * qkvDim, hd));
                }
            }
        });
    }
}
