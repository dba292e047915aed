using System.Numerics.Tensors;
using static SelfInterp.Engine.Kernels.AttentionTiles;

namespace SelfInterp.Engine.Kernels;

/// <summary>Causal multi-head self-attention with grouped KV heads over a right-padded batch, for training:
/// the forward keeps the softmax probabilities for the backward.</summary>
/// <remarks>qkv rows are [q heads | k heads | v heads], already rotated. Query i of sequence b attends keys
/// 0..i; rows at or beyond lengths[b] (padding) get zero output. Work is split over (sequence, head) in the
/// forward and (sequence, kv head) in the backward, so dK/dV of a group are summed by one thread. Queries go
/// in blocks of four through register-tiled kernels (<see cref="AttentionTiles"/>) that only visit the keys
/// the block can see.</remarks>
public sealed unsafe class Attention
{
    readonly int _heads, _kvHeads, _headDim, _maxT, _threads, _ld;
    readonly float[][] _scratch;

    public Attention(int heads, int kvHeads, int headDim, int maxT, int threads)
    {
        (_heads, _kvHeads, _headDim, _maxT, _threads) = (heads, kvHeads, headDim, maxT, Math.Max(1, threads));
        _ld = RoundUp8(maxT + Rows);
        _scratch = new float[_threads][];
        // Per worker: two transposed [hd, ld] matrices, dK and dV [ld, hd], and a [Rows, ld] tile.
        for (int w = 0; w < _threads; w++) _scratch[w] = GC.AllocateArray<float>(4 * headDim * _ld + Rows * _ld, pinned: true);
    }

    public int QkvDim => (_heads + 2 * _kvHeads) * _headDim;

    /// <summary>output [B·T, heads·headDim]; probs [B, heads, T, T].</summary>
    public void Forward(float* qkv, ReadOnlySpan<int> lengths, int batch, int t, float* output, float* probs)
    {
        if (t > _maxT) throw new ArgumentOutOfRangeException(nameof(t), $"sequence length {t} > {_maxT}");
        int hd = _headDim, H = _heads, qkvDim = QkvDim, group = _heads / _kvHeads, oDim = H * hd, kvDim = _kvHeads * hd, ld = _ld;
        float scale = 1f / MathF.Sqrt(hd);
        int[] lens = lengths.ToArray();
        Workers.For(batch * H, _threads, (item, w) =>
        {
            int b = item / H, h = item % H, g = h / group, len = lens[b];
            fixed (float* scratch = _scratch[w])
            {
                float* kt = scratch, tile = scratch + 4 * hd * ld;
                float* q = qkv + (long)b * t * qkvDim + h * hd;
                float* k = qkv + (long)b * t * qkvDim + oDim + g * hd;
                float* v = k + kvDim;
                float* p = probs + ((long)b * H + h) * t * t;
                float* o = output + (long)b * t * oDim + h * hd;
                Transpose(k, qkvDim, len, hd, kt, ld);
                for (int i0 = 0; i0 < len; i0 += Rows)
                {
                    // Rows past the sequence reuse its last row; their results are not stored.
                    float* Q(int r) => q + (long)Math.Min(i0 + r, len - 1) * qkvDim;
                    int keys = Math.Min(len, i0 + Rows);
                    RowsTimesTransposed(Q(0), Q(1), Q(2), Q(3), kt, ld, hd, keys, tile, ld);
                    for (int r = 0; r < Rows; r++)
                    {
                        int i = i0 + r;
                        float* tr = tile + r * ld;
                        if (i >= len) { new Span<float>(tr, keys).Clear(); continue; }
                        var row = new Span<float>(tr, i + 1);
                        TensorPrimitives.Multiply(row, scale, row);
                        float max = FixedMath.Max(row);
                        TensorPrimitives.Subtract(row, max, row);
                        FixedMath.Exp(row, row);
                        TensorPrimitives.Multiply(row, 1f / FixedMath.Sum(row), row);
                        new Span<float>(tr + i + 1, keys - i - 1).Clear();
                        row.CopyTo(new Span<float>(p + (long)i * t, t));
                        new Span<float>(p + (long)i * t + i + 1, t - i - 1).Clear();
                    }
                    float* O(int r) => o + (long)(i0 + r) * oDim;
                    if (i0 + Rows <= len) WeightedRows(tile, ld, keys, v, qkvDim, hd, O(0), O(1), O(2), O(3));
                    else
                    {
                        float* spare = kt + hd * ld; // rows past the sequence land in unused scratch
                        float* Os(int r) => i0 + r < len ? O(r) : spare + r * hd;
                        WeightedRows(tile, ld, keys, v, qkvDim, hd, Os(0), Os(1), Os(2), Os(3));
                    }
                }
                for (int i = len; i < t; i++)
                {
                    new Span<float>(p + (long)i * t, t).Clear();
                    new Span<float>(o + (long)i * oDim, hd).Clear();
                }
            }
        });
    }

    /// <summary>Writes dqkv (all of q, k and v parts; overwrites) from doutput.</summary>
    public void Backward(float* doutput, float* qkv, float* probs, ReadOnlySpan<int> lengths, int batch, int t, float* dqkv)
    {
        int hd = _headDim, H = _heads, KV = _kvHeads, qkvDim = QkvDim, group = H / KV, oDim = H * hd, kvDim = KV * hd, ld = _ld;
        float scale = 1f / MathF.Sqrt(hd);
        int[] lens = lengths.ToArray();
        Workers.For(batch * KV, _threads, (item, w) =>
        {
            int b = item / KV, g = item % KV, len = lens[b];
            fixed (float* scratch = _scratch[w])
            {
                float* vt = scratch, spare = scratch + hd * ld, dk = scratch + 2 * hd * ld, dv = dk + hd * ld, tile = scratch + 4 * hd * ld;
                new Span<float>(dk, 2 * hd * ld).Clear();
                float* k = qkv + (long)b * t * qkvDim + oDim + g * hd, v = k + kvDim;
                Transpose(v, qkvDim, len, hd, vt, ld);
                // Zero rows stand in for queries past the sequence end in partial blocks (read from spare[0, hd));
                // their dQ, which is zero, is written to spare[hd, 2hd) and dropped.
                new Span<float>(spare, hd * ld).Clear();
                for (int h = g * group; h < (g + 1) * group; h++)
                {
                    float* q = qkv + (long)b * t * qkvDim + h * hd;
                    float* dq = dqkv + (long)b * t * qkvDim + h * hd;
                    float* p = probs + ((long)b * H + h) * t * t;
                    float* dy = doutput + (long)b * t * oDim + h * hd;
                    for (int i0 = 0; i0 < len; i0 += Rows)
                    {
                        int keys = Math.Min(len, i0 + Rows);
                        float* DY(int r) => i0 + r < len ? dy + (long)(i0 + r) * oDim : spare;
                        float* Qr(int r) => i0 + r < len ? q + (long)(i0 + r) * qkvDim : spare;
                        float* DQ(int r) => i0 + r < len ? dq + (long)(i0 + r) * qkvDim : spare + hd;
                        // dP = dY·Vᵀ into the tile, then dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale in place.
                        RowsTimesTransposed(DY(0), DY(1), DY(2), DY(3), vt, ld, hd, keys, tile, ld);
                        for (int r = 0; r < Rows; r++)
                        {
                            int i = i0 + r;
                            var dr = new Span<float>(tile + r * ld, RoundUp8(keys));
                            if (i >= len) { dr.Clear(); continue; }
                            var pr = new ReadOnlySpan<float>(p + (long)i * t, i + 1);
                            var head = dr[..(i + 1)];
                            float dot = FixedMath.Dot(pr, head);
                            TensorPrimitives.Subtract(head, dot, head);
                            TensorPrimitives.Multiply(head, pr, head);
                            TensorPrimitives.Multiply(head, scale, head);
                            dr[(i + 1)..].Clear();
                        }
                        WeightedRows(tile, ld, keys, k, qkvDim, hd, DQ(0), DQ(1), DQ(2), DQ(3));
                        TransposedAccumulate(tile, ld, keys, Qr(0), Qr(1), Qr(2), Qr(3), hd, dk);
                        // dV += Pᵀ·dY: the block's P rows replace dS in the tile (zero past the diagonal and the end).
                        for (int r = 0; r < Rows; r++)
                        {
                            var dst = new Span<float>(tile + r * ld, keys);
                            if (i0 + r < len) new ReadOnlySpan<float>(p + (long)(i0 + r) * t, keys).CopyTo(dst);
                            else dst.Clear();
                        }
                        TransposedAccumulate(tile, ld, keys, DY(0), DY(1), DY(2), DY(3), hd, dv);
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
