using SelfInterp.Engine.Training;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

public class LoraTests
{
    static Batch Data(ModelConfig config)
    {
        var rng = new Rng(31, "lora-data");
        var seqs = Enumerable.Range(0, 3).Select(i => TestModels.RandomTokens(rng, 9 + i, config.VocabSize)).ToList();
        return Batch.FromSequences(seqs, seqs.Select(s => Enumerable.Repeat(true, s.Length).ToArray()).ToList());
    }

    static void RandomizeB(LoraAdapters lora, Rng rng)
    {
        foreach (var slot in lora.Layout.Slots)
            if (slot.Name.EndsWith(".lora_B.weight"))
                for (long i = 0; i < slot.Length; i++) lora.Parameters[slot.Offset + i] = (float)(rng.NextGaussian() * 0.3);
    }

    /// <summary>With W' = W + s·B·A, ∂L/∂B = s·G·Aᵀ and ∂L/∂A = s·Bᵀ·G where G = ∂L/∂W' of the merged model.</summary>
    [Fact]
    public void AdapterGradientsFollowFromMergedWeightGradients()
    {
        var config = TestModels.Tiny();
        var batch = Data(config);
        var model = TestModels.Sharp(config, 32);
        var lora = model.AttachLora(rank: 3, alpha: 6f, seed: 33);
        RandomizeB(lora, new Rng(34, "lora-b"));
        model.ZeroGradients();
        model.Forward(batch);
        model.Backward();

        var merged = TestModels.Sharp(config, 32);
        merged.AttachLora(lora);
        merged.MergeLora();
        merged.ZeroGradients();
        merged.Forward(batch);
        merged.Backward();

        int r = lora.Rank;
        foreach (var slot in lora.Layout.Slots.Where(s => s.Name.EndsWith(".lora_A.weight")))
        {
            string baseName = slot.Name.Replace(".lora_A.weight", ".weight");
            var g = merged.Layout.Layout[baseName];
            int outDim = g.Shape[0], inDim = g.Shape[1];
            var bSlot = lora.Layout[slot.Name.Replace("lora_A", "lora_B")];
            for (int i = 0; i < r; i++)
                for (int k = 0; k < inDim; k++)
                {
                    double expected = 0;
                    for (int o = 0; o < outDim; o++)
                        expected += lora.Scale * lora.Parameters[bSlot.Offset + o * r + i] * merged.Gradients[g.Offset + o * inDim + k];
                    Assert.Equal(expected, lora.Gradients[slot.Offset + i * inDim + k], 1e-4 + 1e-3 * Math.Abs(expected));
                }
            for (int o = 0; o < outDim; o++)
                for (int i = 0; i < r; i++)
                {
                    double expected = 0;
                    for (int k = 0; k < inDim; k++)
                        expected += lora.Scale * merged.Gradients[g.Offset + o * inDim + k] * lora.Parameters[slot.Offset + i * inDim + k];
                    Assert.Equal(expected, lora.Gradients[bSlot.Offset + o * r + i], 1e-4 + 1e-3 * Math.Abs(expected));
                }
        }
    }

    [Fact]
    public void TrainingUpdatesOnlyAdaptersAndMergingPreservesOutputs()
    {
        var config = TestModels.Tiny();
        var batch = Data(config);
        var model = Model.CreateRandom(config, 35, new ModelOptions { Threads = 2 });
        var baseBefore = (float[])model.Parameters.Clone();
        model.AttachLora(rank: 4, alpha: 8f, seed: 36);
        var trainer = new Trainer(model, new TrainerOptions { Schedule = LearningRateSchedule.Constant(1e-2f), WeightDecay = 0 });
        float first = trainer.Step(batch).Loss, last = first;
        for (int i = 0; i < 60; i++) last = trainer.Step(batch).Loss;
        Assert.Equal(baseBefore, model.Parameters);
        Assert.True(last < first - 0.5f, $"LoRA training should lower the loss: {first} → {last}");

        var inference = new Inference(model);
        var tokens = batch.Tokens.AsSpan(0, batch.Lengths[0]).ToArray();
        var withAdapters = inference.Logits(tokens);
        model.MergeLora();
        Assert.Null(model.Lora);
        Assert.NotEqual(baseBefore, model.Parameters);
        var merged = inference.Logits(tokens);
        for (int i = 0; i < merged.Length; i++) Assert.Equal(withAdapters[i], merged[i], 1e-4);
    }
}
