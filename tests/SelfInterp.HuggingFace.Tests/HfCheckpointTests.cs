using System.Text.Json.Nodes;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>Loading Hugging Face checkpoints: every storage type and the sharded layout give exactly the stored
/// numbers under the engine's names; bad files are refused naming the file and the field or tensor.</summary>
public sealed class HfCheckpointTests
{
    [Theory]
    [InlineData(StoredType.F32, 1)]
    [InlineData(StoredType.F16, 1)]
    [InlineData(StoredType.BF16, 3)]
    public void EveryTensorLoadsExactly(StoredType type, int shards)
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenUntied, type: type);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir.Path, type, shards);
        Assert.Equal(shards > 1, File.Exists(dir["model.safetensors.index.json"]));
        var (model, family) = HfCheckpoint.Load(dir.Path);
        Assert.Equal(HfFamily.Qwen2, family);
        Assert.True(model.Config.QkvBias);
        Assert.False(model.Config.TiedEmbeddings);
        Assert.Equal(2, model.Config.NKvHeads);
        foreach (var slot in model.Layout.Layout.Slots)
            Assert.Equal(fixture[HfNames.ToHf(slot.Name)].Data, model.Tensor(slot.Name).ToArray());
    }

    [Fact]
    public void LlamaConfigReadsRopeScalingAndTiedEmbeddings()
    {
        var fixture = new RandomHfModel(TinyModelSpec.LlamaScaled);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir.Path);
        var (config, family) = HfConfig.Read(dir.Path);
        Assert.Equal(HfFamily.Llama, family);
        Assert.Equal(new RopeScaling(8f, 1f, 4f, 16), config.RopeScaling);
        Assert.True(config.TiedEmbeddings);
        Assert.False(config.QkvBias);
        Assert.Equal(500000f, config.RopeTheta);
        Assert.Equal(fixture.Spec.MaxPositions, config.MaxSeqLen);
        Assert.Equal(32, HfConfig.Read(dir.Path, contextLength: 32).Config.MaxSeqLen);
    }

    [Fact]
    public void BadFilesAreRefusedNamingFileAndField()
    {
        var fixture = new RandomHfModel(TinyModelSpec.LlamaUntied);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir.Path);
        string config = dir["config.json"];
        string original = File.ReadAllText(config);

        void Edit(Action<JsonObject> change)
        {
            var json = JsonNode.Parse(original)!.AsObject();
            change(json);
            File.WriteAllText(config, json.ToJsonString());
        }
        string ErrorOf() => Assert.ThrowsAny<Exception>(() => HfCheckpoint.Load(dir.Path)).Message;

        Edit(j => j["model_type"] = "mistral");
        Assert.Contains("config.json: field 'model_type'", ErrorOf());
        Edit(j => j["rope_scaling"] = new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 });
        Assert.Contains("field 'rope_scaling.rope_type'", ErrorOf());
        Edit(j => j["num_key_value_heads"] = 3);
        Assert.Contains("n_kv_heads", ErrorOf());
        Edit(j => j["intermediate_size"] = 100);
        var message = ErrorOf();
        Assert.Contains("model.safetensors", message);
        Assert.Contains("mlp.gate_proj.weight", message);
        Edit(j => j["tie_word_embeddings"] = true); // lm_head is then ignorable; the rest must still load
        Assert.True(HfCheckpoint.Load(dir.Path).Model.Config.TiedEmbeddings);
        File.WriteAllText(config, original);
        File.Delete(dir["model.safetensors"]);
        Assert.Contains("model.safetensors", ErrorOf());
    }
}
