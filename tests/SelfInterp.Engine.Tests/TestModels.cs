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
}
