using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Decoding;

/// <summary>Keys and values of past positions for a batch of sequences, per layer: [layer][seq][pos][kvDim].
/// A cache may sit on top of a shared <see cref="Prefix"/> cache (batch 1) whose positions every sequence
/// sees first; its own positions then continue from the prefix length.</summary>
public sealed unsafe class KvCache
{
    public int Batch { get; private set; }
    public int Capacity { get; private set; }
    public int KvDim { get; }
    public int Layers { get; }
    public KvCache? Prefix { get; private set; }
    public int PrefixLength => Prefix?.Lengths[0] ?? 0;
    /// <summary>Positions stored per sequence (not counting the prefix).</summary>
    public int[] Lengths { get; private set; } = [];
    internal readonly PinnedBuffer Keys = new(), Values = new();

    public KvCache(ModelConfig config, int batch, int capacity, KvCache? prefix = null)
    {
        (KvDim, Layers) = (config.KvDim, config.NLayers);
        Reset(batch, capacity, prefix);
    }

    /// <summary>Empties the cache for a new shape, reusing its memory when it is large enough (fresh memory
    /// costs page faults on first touch, which shows when scoring many small batches).</summary>
    public void Reset(int batch, int capacity, KvCache? prefix = null)
    {
        if (prefix is { Batch: not 1 }) throw new ArgumentException("a shared prefix cache must hold exactly one sequence");
        if (ReferenceEquals(prefix, this)) throw new ArgumentException("a cache cannot be its own prefix");
        (Batch, Capacity, Prefix) = (batch, capacity, prefix);
        if (Lengths.Length != batch) Lengths = new int[batch];
        else Array.Clear(Lengths);
        long size = (long)Layers * batch * capacity * KvDim;
        Keys.Ensure(size);
        Values.Ensure(size);
    }

    internal unsafe float* KeyRow(int layer, int seq, int pos) => Keys.Ptr + (((long)layer * Batch + seq) * Capacity + pos) * KvDim;
    internal unsafe float* ValueRow(int layer, int seq, int pos) => Values.Ptr + (((long)layer * Batch + seq) * Capacity + pos) * KvDim;
}
