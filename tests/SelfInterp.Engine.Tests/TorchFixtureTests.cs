using System.Text.Json;
using SelfInterp.Engine.Checkpoints;
using SelfInterp.Engine.Training;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

/// <summary>The whole model against PyTorch (float64) on the committed fixture written by
/// Fixtures/make_torch_fixture.py: logits, loss, every gradient, and 5 AdamW steps.</summary>
public class TorchFixtureTests
{
    /// <summary>Every fixture variant × every available GEMM.</summary>
    public static IEnumerable<object[]> Cases() =>
        from variant in new[] { "gqa_tied", "mha_untied" }
        from gemm in TestGemms.Names()
        select new object[] { variant, gemm[0] };

    sealed record Fixture(Model Model, Batch Batch, Dictionary<string, NamedTensor> Tensors, JsonElement Optimizer);

    static Fixture Load(string variant, string gemm)
    {
        var (tensors, meta) = SafeTensors.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"torch_fixture_{variant}.safetensors"));
        var config = ModelConfig.FromJson(meta["config"]);
        var model = new Model(config, new ModelOptions { Threads = 2, Gemm = TestGemms.Create(gemm, 2) });
        foreach (var slot in model.Layout.Layout.Slots) tensors[slot.Name].Data.CopyTo(model.Tensor(slot.Name));
        int[] lengths = tensors["lengths"].Data.Select(v => (int)v).ToArray();
        int b = lengths.Length, t = tensors["tokens"].Shape[1];
        var batch = new Batch(b, t, tensors["tokens"].Data.Select(v => (int)v).ToArray(),
            tensors["targets"].Data.Select(v => (int)v).ToArray(), lengths);
        return new Fixture(model, batch, tensors, JsonDocument.Parse(meta["optimizer"]).RootElement);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LossAndEveryGradientMatchPyTorch(string variant, string gemm)
    {
        var f = Load(variant, gemm);
        float loss = f.Model.Forward(f.Batch);
        Assert.Equal(f.Tensors["loss"].Data[0], loss, 5e-6 * Math.Abs(loss));
        f.Model.ZeroGradients();
        f.Model.Forward(f.Batch);
        f.Model.Backward();
        foreach (var slot in f.Model.Layout.Layout.Slots)
        {
            var expected = f.Tensors["grad." + slot.Name].Data;
            var actual = f.Model.Gradients.AsSpan((int)slot.Offset, (int)slot.Length).ToArray();
            float scale = expected.Max(Math.Abs);
            Assert.True(scale > 0, $"{slot.Name}: reference gradient is all zero, fixture too weak");
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-5f * scale + 1e-7f,
                    $"{slot.Name}[{i}]: torch {expected[i]} engine {actual[i]} (scale {scale})");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InferenceLogitsMatchPyTorch(string variant, string gemm)
    {
        var f = Load(variant, gemm);
        var inference = new Inference(f.Model);
        int t = f.Batch.SeqLen, v = f.Model.Config.VocabSize;
        var expected = f.Tensors["logits"].Data;
        for (int b = 0; b < f.Batch.Size; b++)
        {
            var logits = inference.Logits(f.Batch.Tokens.AsSpan(b * t, f.Batch.Lengths[b]));
            for (int i = 0; i < logits.Length; i++)
                Assert.Equal(expected[b * t * v + i], logits[i], 2e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FiveAdamWStepsMatchPyTorch(string variant, string gemm)
    {
        var f = Load(variant, gemm);
        var o = f.Optimizer;
        var trainer = new Trainer(f.Model, new TrainerOptions
        {
            Schedule = new LearningRateSchedule(o.GetProperty("peak").GetSingle(), o.GetProperty("min").GetSingle(),
                o.GetProperty("warmup").GetInt32(), o.GetProperty("total").GetInt32()),
            WeightDecay = o.GetProperty("wd").GetSingle(),
            Beta1 = o.GetProperty("b1").GetSingle(),
            Beta2 = o.GetProperty("b2").GetSingle(),
            Epsilon = o.GetProperty("eps").GetSingle(),
            GradClip = o.GetProperty("clip").GetSingle(),
        });
        var expected = f.Tensors["adamw_losses"].Data;
        Assert.Equal(o.GetProperty("steps").GetInt32(), expected.Length);
        for (int step = 0; step < expected.Length; step++)
        {
            var r = trainer.Step(f.Batch);
            Assert.Equal(expected[step], r.Loss, 2e-5 * Math.Abs(expected[step]));
        }
        Assert.True(expected[^1] < expected[0] - 0.05f, "the fixture's own training should reduce the loss");
    }
}
