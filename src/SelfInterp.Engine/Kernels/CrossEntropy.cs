using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>Softmax cross-entropy over rows of logits, one target per row (rows are pre-selected target positions).</summary>
public static unsafe class CrossEntropy
{
    /// <summary>losses[m] = logsumexp(logits[m]) − logits[m, target[m]].</summary>
    public static void Forward(float* logits, ReadOnlySpan<int> targets, int m, int vocab, float* losses)
    {
        for (int i = 0; i < m; i++)
            losses[i] = LogSumExp(new ReadOnlySpan<float>(logits + (long)i * vocab, vocab)) - logits[(long)i * vocab + targets[i]];
    }

    /// <summary>Fused forward and backward, in place: logits become dlogits = scale·(softmax − onehot).
    /// Returns the sum of the row losses.</summary>
    public static double ForwardBackwardInPlace(float* logits, int[] targets, int m, int vocab, float scale, int threads)
    {
        var losses = new double[m];
        Workers.For(m, threads, (i, _) =>
        {
            var row = new Span<float>(logits + (long)i * vocab, vocab);
            int target = targets[i];
            float lse = LogSumExp(row);
            losses[i] = lse - row[target];
            TensorPrimitives.Subtract(row, lse, row);
            TensorPrimitives.Exp(row, row);
            row[target] -= 1f;
            TensorPrimitives.Multiply(row, scale, row);
        });
        double sum = 0;
        foreach (double l in losses) sum += l;
        return sum;
    }

    public static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = TensorPrimitives.Max(row);
        float sum = 0;
        Span<float> chunk = stackalloc float[256];
        for (int j = 0; j < row.Length; j += chunk.Length)
        {
            var src = row.Slice(j, Math.Min(chunk.Length, row.Length - j));
            var dst = chunk[..src.Length];
            TensorPrimitives.Subtract(src, max, dst);
            TensorPrimitives.Exp(dst, dst);
            sum += TensorPrimitives.Sum(dst);
        }
        return max + MathF.Log(sum);
    }
}
