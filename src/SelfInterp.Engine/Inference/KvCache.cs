namespace SelfInterp.Engine;

/// <summary>Keys and values of past positions for a batch of sequences, per layer: [layer][seq][pos][kvDim].
/// A cache may sit on top of a shared <see cref="Prefix"/> cache (batch 1) whose positions every sequence
/// sees first; its own positions then continue from the prefix length.</summary>
public sealed unsafe class KvCache
{
    public int Batch { get; }
    public int Capacity { get; }
    public int KvDim { get; }
    public int Layers { get; }
    public KvCache? Prefix { get; }
    public int PrefixLength => Prefix?.Lengths[0] ?? 0;
    /// <summary>Positions stored per sequence (not counting the prefix).</summary>
    public int[] Lengths { get; }
    internal readonly PinnedBuffer Keys = new(), Values = new();

    public KvCache(ModelConfig config, int batch, int capacity, KvCache? prefix = null)
    {
        if (prefix is { Batch: not 1 }) throw new ArgumentException("a shared prefix cache must hold exactly one sequence");
        (Batch, Capacity, KvDim, Layers, Prefix) = (batch, capacity, config.KvDim, config.NLayers, prefix);
        Lengths = new int[batch];
        long size = (long)Layers * batch * capacity * KvDim;
        Keys.Ensure(size);
        Values.Ensure(size);
    }

    internal unsafe float* KeyRow(int layer, int seq, int pos) => Keys.Ptr + (((long)layer * Batch + seq) * Capacity + pos) * KvDim;
    internal unsafe float* ValueRow(int layer, int seq, int pos) => Values.Ptr + (((long)layer * Batch + seq) * Capacity + pos) * KvDim;
}
