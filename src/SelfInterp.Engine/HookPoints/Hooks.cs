using System.Numerics.Tensors;

namespace SelfInterp.Engine.HookPoints;

/// <summary>Hooks on the residual stream for one or more passes (inference or training forward): read
/// activations (<see cref="Record"/>, a run-with-cache) or add to / replace them at chosen (sequence, position)
/// rows. In a training backward an intervention counts as a constant: the gradient passes it unchanged.</summary>
public sealed class Hooks
{
    readonly Dictionary<HookPoint, List<ResidualHook>> _hooks = new();

    public bool IsEmpty => _hooks.Count == 0;

    public Hooks Add(HookPoint point, ResidualHook hook)
    {
        if (!_hooks.TryGetValue(point, out var list)) _hooks[point] = list = [];
        list.Add(hook);
        return this;
    }

    public Hooks Add(string point, ResidualHook hook) => Add(HookPoint.Parse(point), hook);

    /// <summary>Adds scale·vector to the rows where select(sequence, position) holds.</summary>
    public Hooks AddVector(HookPoint point, float[] vector, float scale, Func<int, int, bool> select) =>
        Add(point, (_, rows) =>
        {
            if (vector.Length != rows.Dim) throw new ArgumentException($"vector of {vector.Length} floats for a residual stream of {rows.Dim}");
            for (int r = 0; r < rows.Rows; r++)
                if (rows.Positions[r] >= 0 && select(rows.Sequences[r], rows.Positions[r]))
                {
                    var row = rows.Row(r);
                    TensorPrimitives.MultiplyAdd(vector, scale, row, row);
                }
        });

    /// <summary>Replaces the rows where replacement(sequence, position) returns a vector (null leaves the row).</summary>
    public Hooks Replace(HookPoint point, Func<int, int, float[]?> replacement) =>
        Add(point, (_, rows) =>
        {
            for (int r = 0; r < rows.Rows; r++)
            {
                if (rows.Positions[r] < 0) continue;
                var v = replacement(rows.Sequences[r], rows.Positions[r]);
                if (v is null) continue;
                if (v.Length != rows.Dim) throw new ArgumentException($"replacement of {v.Length} floats for a residual stream of {rows.Dim}");
                v.CopyTo(rows.Row(r));
            }
        });

    /// <summary>Copies the rows where select(sequence, position) holds into the cache, under this point.</summary>
    public Hooks Record(HookPoint point, ActivationCache cache, Func<int, int, bool>? select = null) =>
        Add(point, (p, rows) =>
        {
            for (int r = 0; r < rows.Rows; r++)
                if (rows.Positions[r] >= 0 && (select?.Invoke(rows.Sequences[r], rows.Positions[r]) ?? true))
                    cache[p, rows.Sequences[r], rows.Positions[r]] = rows.Row(r).ToArray();
        });

    internal bool Has(HookPoint point) => _hooks.ContainsKey(point);

    internal IEnumerable<HookPoint> Points => _hooks.Keys;

    internal void Run(HookPoint point, ResidualRows rows)
    {
        if (!_hooks.TryGetValue(point, out var list)) return;
        foreach (var hook in list) hook(point, rows);
    }
}

/// <summary>Recorded activations by (hook point, sequence, position).</summary>
public sealed class ActivationCache
{
    readonly Dictionary<(HookPoint, int, int), float[]> _rows = new();

    public float[] this[HookPoint point, int sequence, int position]
    {
        get => _rows.TryGetValue((point, sequence, position), out var v) ? v
            : throw new KeyNotFoundException($"no activation recorded at {point.Name}, sequence {sequence}, position {position}");
        internal set => _rows[(point, sequence, position)] = value;
    }

    public bool Contains(HookPoint point, int sequence, int position) => _rows.ContainsKey((point, sequence, position));
    public int Count => _rows.Count;
    public void Clear() => _rows.Clear();
}
