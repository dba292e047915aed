namespace SelfInterp.Engine.Kernels;

/// <summary>Token embedding lookup: out[n,:] = table[tokens[n],:].</summary>
public static class Embedding
{
    public static void Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<float> table, int n, int dim, Span<float> output)
    {
        for (int i = 0; i < n; i++)
            table.Slice(tokens[i] * dim, dim).CopyTo(output.Slice(i * dim, dim));
    }

    /// <summary>out[n,:] += table[ids[n],:]: adds learned position rows to the token embeddings.</summary>
    public static void ForwardAdd(ReadOnlySpan<int> ids, ReadOnlySpan<float> table, int n, int dim, Span<float> output)
    {
        for (int i = 0; i < n; i++)
        {
            var row = output.Slice(i * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(row, table.Slice(ids[i] * dim, dim), row);
        }
    }

    /// <summary>dtable[tokens[n],:] += doutput[n,:], rows in order (deterministic).</summary>
    public static void Backward(ReadOnlySpan<float> doutput, ReadOnlySpan<int> tokens, int n, int dim, Span<float> dtable)
    {
        for (int i = 0; i < n; i++)
        {
            var row = dtable.Slice(tokens[i] * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(row, doutput.Slice(i * dim, dim), row);
        }
    }
}
