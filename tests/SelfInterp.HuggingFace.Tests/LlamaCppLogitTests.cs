using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>The engine's logits on a Hugging Face checkpoint against llama.cpp's on the same weights as GGUF: every
/// position of a 40-token sequence, relative error (max |ours − theirs| over the vocabulary / max |theirs|) ≤ 1e-4.</summary>
public sealed class LlamaCppLogitTests
{
    public static TheoryData<string> Specs => new() { "qwen-tied", "qwen-untied", "llama-scaled", "llama-untied" };

    static TinyModelSpec SpecNamed(string name) => name switch
    {
        "qwen-tied" => TinyModelSpec.QwenTied,
        "qwen-untied" => TinyModelSpec.QwenUntied,
        "llama-scaled" => TinyModelSpec.LlamaScaled,
        _ => TinyModelSpec.LlamaUntied,
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void LogitsMatchLlamaCppAtEveryPosition(string name)
    {
        var fixture = new RandomHfModel(SpecNamed(name));
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        string gguf = GgufWriter.Write(fixture, dir["model.gguf"]);

        var (model, _) = HfCheckpoint.Load(dir["hf"], options: new ModelOptions { Threads = 1 });
        var rng = new Rng(7, "logit-check");
        var tokens = Enumerable.Range(0, 40).Select(_ => rng.NextInt(fixture.VocabSize)).ToArray();
        var ours = new Inference(model).Logits(tokens);
        using var llama = new LlamaCpp(gguf);
        var theirs = llama.Logits(tokens);

        Assert.Equal(fixture.VocabSize, llama.VocabSize);
        int v = fixture.VocabSize;
        double worst = 0;
        for (int t = 0; t < tokens.Length; t++)
        {
            double maxDiff = 0, maxRef = 0;
            for (int j = 0; j < v; j++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(ours[t * v + j] - theirs[t][j]));
                maxRef = Math.Max(maxRef, Math.Abs(theirs[t][j]));
            }
            Assert.True(maxRef > 0.5, $"position {t}: logits too small to compare ({maxRef})");
            worst = Math.Max(worst, maxDiff / maxRef);
        }
        Assert.True(worst <= 1e-4, $"{name}: worst relative error {worst:E2} over {tokens.Length} positions");
    }
}

/// <summary>The comparison sees the rope scaling: the same Llama checkpoint with rope_scaling removed from its
/// config.json is far from llama.cpp's logits (so the ≤ 1e-4 agreement above is not blind to it).</summary>
public sealed class LlamaCppRopeScalingSensitivityTests
{
    [Fact]
    public void DroppingRopeScalingBreaksTheAgreement()
    {
        var fixture = new RandomHfModel(TinyModelSpec.LlamaScaled);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        string gguf = GgufWriter.Write(fixture, dir["model.gguf"]);
        string config = Path.Combine(dir["hf"], "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json.Remove("rope_scaling");
        File.WriteAllText(config, json.ToJsonString());

        var (model, _) = HfCheckpoint.Load(dir["hf"], options: new ModelOptions { Threads = 1 });
        var tokens = Enumerable.Range(0, 40).Select(i => (i * 37) % fixture.VocabSize).ToArray();
        var ours = new Inference(model).Logits(tokens);
        using var llama = new LlamaCpp(gguf);
        var theirs = llama.Logits(tokens);
        int v = fixture.VocabSize, last = tokens.Length - 1;
        double maxDiff = Enumerable.Range(0, v).Max(j => Math.Abs(ours[last * v + j] - theirs[last][j]));
        double maxRef = theirs[last].Max(Math.Abs);
        Assert.True(maxDiff / maxRef > 1e-2, $"without rope scaling the relative error is only {maxDiff / maxRef:E2}");
    }
}
