using System.Text.Json.Nodes;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>A random PEFT LoRA adapter for a <see cref="RandomHfModel"/>, as PEFT saves one (adapter_config.json,
/// adapter_model.safetensors with base_model.model.… names).</summary>
public static class RandomPeftAdapter
{
    /// <summary>Random lora_A/lora_B for the targets of every layer (or one pair on the given module), PEFT's names.</summary>
    public static Dictionary<string, (float[] A, float[] B)> Write(TinyModelSpec spec, string directory, int rank, IReadOnlyList<string> targets, double alpha, bool rsLora, string? module = null, ulong seed = 3)
    {
        Directory.CreateDirectory(directory);
        var rng = new Rng(seed, "peft-fixture");
        var tensors = new List<HfTensor>();
        var result = new Dictionary<string, (float[], float[])>();
        var modules = module is not null ? [(module, 64, 64)]
            : Enumerable.Range(0, spec.Layers).SelectMany(l => targets.Select(t =>
            {
                string m = $"model.layers.{l}.{(t == "down_proj" ? "mlp" : "self_attn")}.{t}";
                var (outDim, inDim) = ShapeOf(spec, t);
                return (m, outDim, inDim);
            })).ToList();
        foreach (var (m, outDim, inDim) in modules)
        {
            var a = Enumerable.Range(0, rank * inDim).Select(_ => (float)(0.2 * rng.NextGaussian())).ToArray();
            var b = Enumerable.Range(0, outDim * rank).Select(_ => (float)(0.2 * rng.NextGaussian())).ToArray();
            tensors.Add(new HfTensor($"base_model.model.{m}.lora_A.weight", [rank, inDim], a));
            tensors.Add(new HfTensor($"base_model.model.{m}.lora_B.weight", [outDim, rank], b));
            result[m + ".weight"] = (a, b);
        }
        SafeTensorsWriter.Write(Path.Combine(directory, "adapter_model.safetensors"), tensors, StoredType.F32);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA", ["r"] = rank, ["lora_alpha"] = alpha, ["use_rslora"] = rsLora, ["lora_dropout"] = 0.05,
            ["bias"] = "none", ["task_type"] = "CAUSAL_LM", ["target_modules"] = new JsonArray(targets.Select(t => (JsonNode)t!).ToArray()),
        };
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString());
        return result;
    }

    /// <summary>[out, in] of a projection of the model.</summary>
    static (int Out, int In) ShapeOf(TinyModelSpec spec, string projection) => projection switch
    {
        "q_proj" or "o_proj" => (spec.Dim, spec.Dim),
        "k_proj" or "v_proj" => (spec.KvHeads * spec.HeadDim, spec.Dim),
        "gate_proj" or "up_proj" => (spec.Hidden, spec.Dim),
        "down_proj" => (spec.Dim, spec.Hidden),
        _ => throw new ArgumentException($"no projection '{projection}'"),
    };
}
