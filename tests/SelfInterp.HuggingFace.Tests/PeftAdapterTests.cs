using System.Text.Json.Nodes;
using SelfInterp.Engine;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;

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
        var adapter = WriteAdapter(fixture, dir["adapter"], alpha, rsLora);

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
        WriteAdapter(fixture, dir["adapter"], 8, false, module: "model.layers.0.self_attn.rotary");
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

    /// <summary>Random lora_A/lora_B for the targets of every layer (or one pair on the given module), PEFT's names.</summary>
    static Dictionary<string, (float[] A, float[] B)> WriteAdapter(RandomHfModel fixture, string directory, double alpha, bool rsLora, string? module = null)
    {
        Directory.CreateDirectory(directory);
        var rng = new Rng(3, "peft-fixture");
        var tensors = new List<HfTensor>();
        var result = new Dictionary<string, (float[], float[])>();
        var modules = module is not null ? [(module, 64, 64)]
            : Enumerable.Range(0, fixture.Spec.Layers).SelectMany(l => Targets.Select(t =>
            {
                string m = $"model.layers.{l}.{(t == "down_proj" ? "mlp" : "self_attn")}.{t}";
                var w = fixture[m + ".weight"];
                return (m, w.Shape[0], w.Shape[1]);
            })).ToList();
        foreach (var (m, outDim, inDim) in modules)
        {
            var a = Enumerable.Range(0, Rank * inDim).Select(_ => (float)(0.2 * rng.NextGaussian())).ToArray();
            var b = Enumerable.Range(0, outDim * Rank).Select(_ => (float)(0.2 * rng.NextGaussian())).ToArray();
            tensors.Add(new HfTensor($"base_model.model.{m}.lora_A.weight", [Rank, inDim], a));
            tensors.Add(new HfTensor($"base_model.model.{m}.lora_B.weight", [outDim, Rank], b));
            result[m + ".weight"] = (a, b);
        }
        SafeTensorsWriter.Write(Path.Combine(directory, "adapter_model.safetensors"), tensors, StoredType.F32);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA", ["r"] = Rank, ["lora_alpha"] = alpha, ["use_rslora"] = rsLora, ["lora_dropout"] = 0.05,
            ["bias"] = "none", ["task_type"] = "CAUSAL_LM", ["target_modules"] = new JsonArray(Targets.Select(t => (JsonNode)t!).ToArray()),
        };
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString());
        return result;
    }
}
