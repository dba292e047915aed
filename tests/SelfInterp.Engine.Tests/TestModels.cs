using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

public static class TestModels
{
    public static ModelConfig Tiny(int vocab = 40, bool tied = true) => new()
    {
        VocabSize = vocab, Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MlpHidden = 64, MaxSeqLen = 64,
        RopeTheta = 10000f, NormEps = 1e-5f, TiedEmbeddings = tied,
    };

    /// <summary>A random model with weights scaled up so its predictions vary from position to position.</summary>
    public static Model Sharp(ModelConfig config, ulong seed, int threads = 2)
    {
        var model = Model.CreateRandom(config, seed, new ModelOptions { Threads = threads });
        foreach (var slot in model.Layout.Layout.Slots)
            if (slot.Shape.Length == 2)
                System.Numerics.Tensors.TensorPrimitives.Multiply(model.Tensor(slot.Name), 15f, model.Tensor(slot.Name));
        return model;
    }

    public static int[] RandomTokens(Rng rng, int n, int vocab, int min = 1) =>
        Enumerable.Range(0, n).Select(_ => min + rng.NextInt(vocab - min)).ToArray();

    /// <summary>Scoring candidates after a shared prefix must equal scoring each full prompt on its own.</summary>
    public static void AssertSharedPrefixScoringMatches(Inference inference, int[] prefix, IReadOnlyList<int[]> suffixes, int[] candidates)
    {
        var shared = inference.ScoreWithSharedPrefix(prefix, suffixes, candidates);
        for (int i = 0; i < suffixes.Count; i++)
        {
            var independent = inference.ScoreCandidates([.. prefix, .. suffixes[i]], candidates);
            for (int c = 0; c < candidates.Length; c++) Assert.Equal(independent[c], shared[i][c], 1e-4);
        }
    }

    /// <summary>Mean next-token cross-entropy over every position of the sequences, from inference logits.</summary>
    public static double MeanNextTokenLoss(Inference inference, IEnumerable<int[]> sequences, int vocab)
    {
        double total = 0;
        int count = 0;
        foreach (var s in sequences)
        {
            var logits = inference.Logits(s);
            for (int t = 0; t + 1 < s.Length; t++, count++)
            {
                var row = logits.AsSpan(t * vocab, vocab).ToArray();
                double max = row.Max();
                total += max + Math.Log(row.Sum(v => Math.Exp(v - max))) - row[s[t + 1]];
            }
        }
        return total / count;
    }
}
