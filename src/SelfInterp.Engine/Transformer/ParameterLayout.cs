namespace SelfInterp.Engine.Transformer;

/// <summary>One named tensor inside a flat parameter block.</summary>
public sealed record TensorSlot(string Name, long Offset, int[] Shape)
{
    public long Length => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Named tensors laid end to end in one contiguous float block (llm.c style).</summary>
public sealed class ParameterLayout
{
    readonly List<TensorSlot> _slots = new();
    readonly Dictionary<string, TensorSlot> _byName = new(StringComparer.Ordinal);

    public IReadOnlyList<TensorSlot> Slots => _slots;
    public long TotalLength { get; private set; }

    public long Add(string name, params int[] shape)
    {
        if (_byName.ContainsKey(name)) throw new ArgumentException($"duplicate tensor name '{name}'");
        var slot = new TensorSlot(name, TotalLength, shape);
        _slots.Add(slot);
        _byName[name] = slot;
        TotalLength += slot.Length;
        return slot.Offset;
    }

    public TensorSlot this[string name] =>
        _byName.TryGetValue(name, out var s) ? s : throw new KeyNotFoundException($"no tensor named '{name}' in layout");

    public bool Contains(string name) => _byName.ContainsKey(name);
}
