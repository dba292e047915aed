using System.Text.Json.Nodes;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>A PEFT LoRA adapter merged on load gives the model whose weights are W + scale·B·A (computed here in
/// double and written as a plain checkpoint): same logits within float rounding.</summary>
public sealed class PeftAdapterTests
{
    const int Rank = 4;
    static readonly string[] Targets = ["q_proj", "v_proj", "down_proj"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MergedAdapterEqualsMergedCheckpoint(bool rsLora)
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["base"]);
        double alpha = 16, scale = rsLora ? alpha / Math.Sqrt(Rank) : alpha / Rank;
        var adapter = RandomPeftAdapter.Write(fixture.Spec, dir["adapter"], Rank, Targets, alpha, rsLora);

        // The expected model: every adapted weight merged in double, the rest as stored.
        var merged = fixture.Tensors.Select(t => adapter.TryGetValue(t.Name, out var ab) ? t with { Data = Merge(t, ab.A, ab.B, scale) } : t).ToList();
        Directory.CreateDirectory(dir["expected"]);
        foreach (var f in new[] { "config.json", "tokenizer.json", "tokenizer_config.json" }) File.Copy(Path.Combine(dir["base"], f), Path.Combine(dir["expected"], f));
        SafeTensorsWriter.Write(Path.Combine(dir["expected"], "model.safetensors"), merged, StoredType.F32);

        var loaded = HfModel.Load(HfModelSpec.Parse($"hf:{dir["base"]}+adapter:{dir["adapter"]}"), options: new ModelOptions { Threads = 1 });
        Assert.Equal(Rank, loaded.Adapter!.Rank);
        Assert.Equal(scale, loaded.Adapter.Scale, 12);
        Assert.Equal(2 * Targets.Length, loaded.Adapter.MergedMatrices);
        var (expected, _) = HfCheckpoint.Load(dir["expected"], options: new ModelOptions { Threads = 1 });
        var (plain, _) = HfCheckpoint.Load(dir["base"], options: new ModelOptions { Threads = 1 });

        var tokens = Enumerable.Range(0, 12).Select(i => (i * 29) % fixture.VocabSize).ToArray();
        var a = new Inference(loaded.Model).Logits(tokens);
        var e = new Inference(expected).Logits(tokens);
        var p = new Inference(plain).Logits(tokens);
        double diff = a.Zip(e, (x, y) => Math.Abs(x - y)).Max(), scaleRef = e.Max(Math.Abs);
        double moved = p.Zip(e, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(diff / scaleRef < 1e-5, $"adapter merge off by {diff / scaleRef:E2}");
        Assert.True(moved / scaleRef > 1e-2, $"the adapter barely moves the logits ({moved / scaleRef:E2}): the test would not see a wrong merge");
    }

    [Fact]
    public void AdapterOnAnUnknownModuleIsRefused()
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["base"]);
        RandomPeftAdapter.Write(fixture.Spec, dir["adapter"], Rank, Targets, 8, false, module: "model.layers.0.self_attn.rotary");
        var e = Assert.Throws<InvalidDataException>(() => HfModel.Load(HfModelSpec.Parse($"hf:{dir["base"]}+adapter:{dir["adapter"]}")));
        Assert.Contains("adapter_model.safetensors", e.Message);
        Assert.Contains("model.layers.0.self_attn.rotary", e.Message);
    }

    static float[] Merge(HfTensor w, float[] a, float[] b, double scale)
    {
        int outDim = w.Shape[0], inDim = w.Shape[1];
        var result = new float[w.Data.Length];
        for (int o = 0; o < outDim; o++)
            for (int i = 0; i < inDim; i++)
            {
                double s = 0;
                for (int r = 0; r < Rank; r++) s += (double)b[o * Rank + r] * a[r * inDim + i];
                result[o * inDim + i] = (float)(w.Data[o * inDim + i] + scale * s);
            }
        return result;
    }
}
