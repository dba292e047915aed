using SelfInterp.Engine.Checkpoints;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

public sealed class CheckpointTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "selfinterp-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void LoadSaveLoadIsByteIdentical(bool tied, bool lora)
    {
        var model = TestModels.Sharp(TestModels.Tiny(tied: tied), 41);
        if (lora) model.AttachLora(2, 4f, 42);
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        Checkpoint.Save(model, a);
        // Loaded at the saved model's thread count: provenance.json records the set-up of the model that saves it.
        var loaded = Checkpoint.Load(a, new ModelOptions { Threads = model.Threads });
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(model.Parameters, loaded.Parameters);
        Assert.Equal(lora, loaded.Lora is not null);
        if (lora) Assert.Equal(model.Lora!.Parameters, loaded.Lora!.Parameters);
        Checkpoint.Save(loaded, b);
        foreach (var file in Directory.GetFiles(a))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(b, Path.GetFileName(file))));
        Assert.Equal(Directory.GetFiles(a).Length, Directory.GetFiles(b).Length);

        var prompt = new[] { 3, 4, 5, 6 };
        Assert.Equal(new Inference(model).Logits(prompt), new Inference(loaded).Logits(prompt));
    }

    [Fact]
    public void ConfigJsonUsesSnakeCaseNamesAndBadValuesNameTheField()
    {
        string json = TestModels.Tiny().ToJson();
        foreach (var key in new[] { "vocab_size", "dim", "n_layers", "n_heads", "n_kv_heads", "mlp_hidden", "max_seq_len", "rope_theta", "norm_eps", "tied_embeddings" })
            Assert.Contains($"\"{key}\"", json);
        var bad = json.Replace("\"n_kv_heads\": 2", "\"n_kv_heads\": 3");
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson(bad, "x/config.json"));
        Assert.Contains("x/config.json", e.Message);
        Assert.Contains("n_kv_heads", e.Message);
    }

    [Fact]
    public void MisshapenTensorIsReportedByName()
    {
        var model = Model.CreateRandom(TestModels.Tiny(), 43);
        string a = Path.Combine(_dir, "c");
        Checkpoint.Save(model, a);
        var (tensors, _) = SafeTensors.Read(Path.Combine(a, Checkpoint.WeightsFile));
        tensors["norm.weight"] = new NamedTensor("norm.weight", [16], new float[16]);
        SafeTensors.Write(Path.Combine(a, Checkpoint.WeightsFile), tensors.Values);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(a));
        Assert.Contains("norm.weight", e.Message);
    }
}
