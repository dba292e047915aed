using System.Numerics.Tensors;

namespace SelfInterp.Engine.Kernels;

/// <summary>A bias added to every row (Qwen2's q|k|v biases): element-wise, so the same bytes at any width.</summary>
public static unsafe class Bias
{
    public static void Forward(float* rows, float* bias, int n, int width, int threads)
    {
        Workers.ForRange(n, threads, Math.Max(1, Workers.MinElementsPerWorker / width), (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                var row = new Span<float>(rows + (long)i * width, width);
                TensorPrimitives.Add(row, new ReadOnlySpan<float>(bias, width), row);
            }
        });
    }

    /// <summary>dbias += the sum of the rows of dy, rows in order on one thread (a fixed order of additions).</summary>
    public static void Backward(float* dy, int n, int width, float* dbias)
    {
        var db = new Span<float>(dbias, width);
        for (int i = 0; i < n; i++) TensorPrimitives.Add(db, new ReadOnlySpan<float>(dy + (long)i * width, width), db);
    }
}
