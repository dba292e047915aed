namespace SelfInterp.Engine.HookPoints;

/// <summary>The residual stream at a hook point during one pass: rows [Rows, Dim], each tagged with the
/// sequence it belongs to (the prompt's index in the call, −1 for a shared prefix) and its position in that
/// sequence (counting a shared prefix; −1 for padding). Writes to <see cref="Row"/> change the pass.</summary>
public readonly ref struct ResidualRows(Span<float> data, int dim, ReadOnlySpan<int> sequences, ReadOnlySpan<int> positions)
{
    public Span<float> Data { get; } = data;
    public int Dim { get; } = dim;
    public ReadOnlySpan<int> Sequences { get; } = sequences;
    public ReadOnlySpan<int> Positions { get; } = positions;
    public int Rows => Sequences.Length;
    public Span<float> Row(int row) => Data.Slice(row * Dim, Dim);
}

/// <summary>A hook: reads or changes the residual stream at its point.</summary>
public delegate void ResidualHook(HookPoint point, ResidualRows rows);
