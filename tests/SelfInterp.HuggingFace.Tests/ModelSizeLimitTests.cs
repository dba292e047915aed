using System.Text.Json.Nodes;
using SelfInterp.Cli;
using SelfInterp.Engine.HuggingFace;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>The engine keeps a model's parameters in one float block (at most Array.MaxLength floats, about 2.1 billion
/// parameters): a bigger checkpoint is refused from its config.json alone, before any weights are read, with the file,
/// the count and the limit named; through the lab, as a user error (exit code 2) naming the run's field.</summary>
[Collection(InProcessCli.Collection)]
public sealed class ModelSizeLimitTests
{
    /// <summary>Qwen2.5-3B's shape (3.09 billion parameters with tied embeddings).</summary>
    static void MakeItQwen3B(string configPath)
    {
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        (config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]) = (2048, 11008, 36);
        (config["num_attention_heads"], config["num_key_value_heads"], config["vocab_size"]) = (16, 2, 151936);
        File.WriteAllText(configPath, config.ToJsonString());
    }

    [Fact]
    public async Task A_model_above_the_float_block_is_refused_by_name_before_its_weights_are_read()
    {
        using var dir = new TempDirectory();
        var (run, _) = await ReducedLabCliTests.AdapterRun(dir);
        string config = Path.Combine(dir["hf"], HfConfig.FileName);
        MakeItQwen3B(config);
        // No weights of that size exist: the refusal comes from the config alone.
        var e = Assert.Throws<InvalidDataException>(() => HfModel.Load(HfModelSpec.Parse($"hf:{dir["hf"]}")));
        Assert.Contains(config, e.Message);
        Assert.Contains("3,085,", e.Message);
        Assert.Contains($"{Array.MaxLength:N0}", e.Message);
        Assert.Contains("about 2.1 billion parameters", e.Message);

        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try { Assert.Equal(CliHost.BadInput, await CliHost.InvokeAsync(CliHost.CreateRoot(), ["probe", run, "--scenarios", "2", "--trials", "8", "--reports", "1"])); }
        finally { Console.SetError(saved); }
        Assert.Contains("field config.base_model", error.ToString());
        Assert.Contains("about 2.1 billion parameters", error.ToString());
    }
}
