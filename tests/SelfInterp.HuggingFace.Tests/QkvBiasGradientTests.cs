using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>Qwen2's q/k/v biases in training: the backward's bias gradients match central differences of the loss.</summary>
public sealed class QkvBiasGradientTests
{
    [Fact]
    public void BiasGradientsMatchFiniteDifferences()
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir.Path);
        var (model, _) = HfCheckpoint.Load(dir.Path, options: new ModelOptions { Threads = 1 });
        var rng = new Rng(9, "bias-gradient");
        var sequence = Enumerable.Range(0, 12).Select(_ => rng.NextInt(fixture.VocabSize)).ToArray();
        var batch = Batch.FromSequences([sequence], [Enumerable.Range(0, 12).Select(i => i >= 6).ToArray()]);

        model.ZeroGradients();
        model.Forward(batch);
        model.Backward();
        var slot = model.Layout.Layout["layers.1.attention.wq.bias"];
        int qkv = model.Config.QkvDim;
        var grads = model.Gradients.AsSpan((int)slot.Offset, qkv).ToArray();
        // The largest gradients of the q, k and v parts of the fused bias.
        int q = model.Config.QDim, kv = model.Config.KvDim;
        var checkedIndices = new[] { (0, q), (q, q + kv), (q + kv, qkv) }
            .Select(r => Enumerable.Range(r.Item1, r.Item2 - r.Item1).MaxBy(i => Math.Abs(grads[i]))).ToList();
        foreach (int i in checkedIndices)
        {
            long at = slot.Offset + i;
            float original = model.Parameters[at];
            const float eps = 1e-2f;
            model.Parameters[at] = original + eps;
            double up = model.Forward(batch);
            model.Parameters[at] = original - eps;
            double down = model.Forward(batch);
            model.Parameters[at] = original;
            double numeric = (up - down) / (2 * eps);
            Assert.True(Math.Abs(grads[i]) > 1e-3, $"bias element {i}: gradient {grads[i]} too small to check");
            Assert.True(Math.Abs(numeric - grads[i]) <= 0.03 * Math.Abs(grads[i]) + 1e-4, $"bias element {i}: backward {grads[i]}, central difference {numeric}");
        }
    }
}
