using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

/// <summary>The optional learned absolute position table: its gradient, and inference paths that agree with
/// the training forward when it is on.</summary>
public class LearnedPositionTests
{
    static ModelConfig Config(bool learned = true) => TestModels.Tiny() with { LearnedPositions = learned };

    static Model SharpWithPositions(ulong seed)
    {
        var model = TestModels.Sharp(Config(), seed);
        var rng = new Rng(seed, "positions");
        var table = model.Tensor("pos_embeddings.weight");
        for (int i = 0; i < table.Length; i++) table[i] = (float)rng.NextGaussian();
        return model;
    }

    static (Batch, int[][]) RandomBatch(int vocab)
    {
        var rng = new Rng(9, "position-batch");
        var seqs = new[] { TestModels.RandomTokens(rng, 11, vocab), TestModels.RandomTokens(rng, 7, vocab) };
        return (Batch.FromSequences(seqs, seqs.Select(s => Enumerable.Repeat(true, s.Length).ToArray()).ToList()), seqs);
    }

    [Fact]
    public void LayoutHasOnePositionRowPerSequencePlace()
    {
        var with = new DecoderLayout(Config());
        var without = new DecoderLayout(Config(learned: false));
        Assert.Equal(new[] { 64, 32 }, with.Layout["pos_embeddings.weight"].Shape);
        Assert.Equal(without.Layout.TotalLength + 64 * 32, with.Layout.TotalLength);
        Assert.Equal(-1, without.Positions);
        Assert.False(without.Layout.Contains("pos_embeddings.weight"));
    }

    [Fact]
    public void ZeroPositionTableGivesTheModelWithoutPositions()
    {
        var plain = TestModels.Sharp(Config(learned: false), 31);
        var withZeros = new Model(Config());
        foreach (var slot in plain.Layout.Layout.Slots) plain.Tensor(slot.Name).CopyTo(withZeros.Tensor(slot.Name));
        var tokens = TestModels.RandomTokens(new Rng(2, "tokens"), 12, 40);
        Assert.Equal(new Inference(plain).Logits(tokens), new Inference(withZeros).Logits(tokens));
        var (batch, _) = RandomBatch(40);
        Assert.Equal(plain.Forward(batch), withZeros.Forward(batch));
    }

    [Fact]
    public void PositionsChangeThePrediction()
    {
        var model = SharpWithPositions(32);
        var tokens = Enumerable.Repeat(7, 10).ToArray();
        var logits = new Inference(model).Logits(tokens);
        int v = model.Config.VocabSize;
        // Without positions a run of one token attends uniformly to identical rows: rotary alone leaves
        // every place's prediction almost the same. Learned positions must make them differ.
        float spread = 0;
        for (int t = 1; t < tokens.Length; t++)
            for (int j = 0; j < v; j++) spread = MathF.Max(spread, MathF.Abs(logits[t * v + j] - logits[j]));
        Assert.True(spread > 0.5f, $"largest logit change across places {spread}");
    }

    [Fact]
    public void PositionGradientMatchesFiniteDifferences()
    {
        var model = SharpWithPositions(33);
        // Scale the model down again so the loss is smooth enough for float finite differences.
        foreach (var slot in model.Layout.Layout.Slots.Where(s => s.Shape.Length == 2 && s.Name != "pos_embeddings.weight"))
            System.Numerics.Tensors.TensorPrimitives.Multiply(model.Tensor(slot.Name), 0.1f, model.Tensor(slot.Name));
        var (batch, _) = RandomBatch(40);
        model.ZeroGradients();
        model.Forward(batch);
        model.Backward();
        var slotInfo = model.Layout.Layout["pos_embeddings.weight"];
        var rng = new Rng(3, "probe");
        const float h = 1e-2f;
        int checkedNonZero = 0;
        for (int k = 0; k < 24; k++)
        {
            // Places 0..10 are used by the batch; 11 and beyond must get no gradient.
            int place = k < 20 ? rng.NextInt(11) : 11 + rng.NextInt(40);
            int index = (int)slotInfo.Offset + place * 32 + rng.NextInt(32);
            float keep = model.Parameters[index];
            model.Parameters[index] = keep + h; float up = model.Forward(batch);
            model.Parameters[index] = keep - h; float down = model.Forward(batch);
            model.Parameters[index] = keep;
            double numeric = (up - down) / (2.0 * h), analytic = model.Gradients[index];
            Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 0.03 * Math.Abs(numeric),
                $"place {place}: finite difference {numeric}, backward {analytic}");
            if (place >= 11) Assert.Equal(0.0, analytic);
            else if (Math.Abs(analytic) > 1e-4) checkedNonZero++;
        }
        Assert.True(checkedNonZero >= 10, $"only {checkedNonZero} probed gradients were non-zero");
    }

    [Fact]
    public void CachedGenerationAndSharedPrefixScoringAgreeWithFullRecomputation()
    {
        var model = SharpWithPositions(34);
        var inference = new Inference(model, maxBatch: 3);
        var prompt = TestModels.RandomTokens(new Rng(1, "prompt"), 6, 40);
        var cached = inference.Generate(prompt, maxTokens: 20);
        var sequence = prompt.ToList();
        foreach (int token in cached)
        {
            var logits = inference.Logits(sequence.ToArray()).AsSpan((sequence.Count - 1) * 40, 40).ToArray();
            Assert.Equal(Array.IndexOf(logits, logits.Max()), token);
            sequence.Add(token);
        }

        var rng = new Rng(4, "suffixes");
        var suffixes = Enumerable.Range(0, 5).Select(i => TestModels.RandomTokens(rng, 1 + i, 40)).ToList();
        TestModels.AssertSharedPrefixScoringMatches(inference, prompt, suffixes, [5, 6]);
    }

    [Fact]
    public void InferenceLogitsGiveTheTrainingLoss()
    {
        var model = SharpWithPositions(35);
        var (batch, seqs) = RandomBatch(40);
        float loss = model.Forward(batch);
        Assert.Equal(TestModels.MeanNextTokenLoss(new Inference(model), seqs, 40), loss, 1e-3 * loss);
    }
}
