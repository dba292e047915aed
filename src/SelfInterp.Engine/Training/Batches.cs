using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Training;

/// <summary>Deterministic mini-batches over prompt/completion examples: each epoch is a seeded shuffle
/// (stream "batches", epoch number mixed in), cut into batches whose loss covers completions only.</summary>
public static class Batches
{
    public static IEnumerable<Batch> Epoch(IReadOnlyList<(int[] Prompt, int[] Completion)> examples, int batchSize, ulong seed, int epoch)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size must be ≥ 1");
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var rng = new Rng(seed ^ (ulong)epoch * 0x9E3779B97F4A7C15UL, "batches");
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (int start = 0; start < order.Length; start += batchSize)
            yield return Batch.FromPromptCompletions(order.Skip(start).Take(batchSize).Select(i => examples[i]).ToList());
    }
}
