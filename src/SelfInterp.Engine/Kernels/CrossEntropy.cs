using System.Numerics.Tensors;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Kernels;

/// <summary>Softmax cross-entropy over rows of logits, one target per row (rows are pre-selected target positions).
/// A target may be a set (<see cref="Batch.AnyOf"/>): its loss is logsumexp(row) − logsumexp(row over the set), and
/// its gradient softmax − the softmax renormalised within the set.</summary>
public static unsafe class CrossEntropy
{
    /// <summary>losses[m] = logsumexp(logits[m]) − logits[m, target[m]].</summary>
    public static void Forward(float* logits, ReadOnlySpan<int> targets, int m, int vocab, float* losses)
    {
        for (int i = 0; i < m; i++)
            losses[i] = LogSumExp(new ReadOnlySpan<float>(logits + (long)i * vocab, vocab)) - logits[(long)i * vocab + targets[i]];
    }

    /// <summary>Fused forward and backward, in place: logits become dlogits = scale·(softmax − onehot), or for a set
    /// target scale·(softmax − softmax within the set). Returns the sum of the row losses.</summary>
    public static double ForwardBackwardInPlace(float* logits, int[] targets, int m, int vocab, float scale, int threads, IReadOnlyList<int[]>? sets = null)
    {
        var losses = new double[m];
        Workers.For(m, threads, (i, _) =>
        {
            var row = new Span<float>(logits + (long)i * vocab, vocab);
            int target = targets[i], set = Batch.SetOf(target);
            float lse = LogSumExp(row);
            int[] members = set < 0 ? [] : sets![set];
            float lseSet = set < 0 ? row[target] : SetLogSumExp(row, members);
            losses[i] = lse - lseSet;
            // The set's renormalised probabilities need the logits, which the softmax below overwrites.
            Span<float> within = stackalloc float[members.Length];
            for (int k = 0; k < members.Length; k++) within[k] = FixedMath.Exp(row[members[k]] - lseSet);
            TensorPrimitives.Subtract(row, lse, row);
            FixedMath.Exp(row, row);
            if (set < 0) row[target] -= 1f;
            for (int k = 0; k < members.Length; k++) row[members[k]] -= within[k];
            TensorPrimitives.Multiply(row, scale, row);
        });
        double sum = 0;
        foreach (double l in losses) sum += l;
        return sum;
    }

    private static float SetLogSumExp(ReadOnlySpan<float> row, int[] members)
    {
        float max = float.NegativeInfinity, sum = 0;
        foreach (int j in members) max = MathF.Max(max, row[j]);
        foreach (int j in members) sum += FixedMath.Exp(row[j] - max);
        return max + FixedMath.Log(sum);
    }

    public static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = FixedMath.Max(row);
        float sum = 0;
        Span<float> chunk = stackalloc float[256];
        for (int j = 0; j < row.Length; j += chunk.Length)
        {
            var src = row.Slice(j, Math.Min(chunk.Length, row.Length - j));
            var dst = chunk[..src.Length];
            TensorPrimitives.Subtract(src, max, dst);
            FixedMath.Exp(dst, dst);
            sum += FixedMath.Sum(dst);
        }
        return max + FixedMath.Log(sum);
    }
}
