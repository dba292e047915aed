using System.Text.Json;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Checkpoints;

/// <summary>A model directory: config.json + model.safetensors (+ provenance.json: what computed them), and when adapters
/// are attached adapter_config.json + adapter.safetensors. Callers keep the tokenizer file beside them.</summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json", WeightsFile = "model.safetensors",
        AdapterConfigFile = "adapter_config.json", AdapterWeightsFile = "adapter.safetensors";

    sealed record AdapterConfig(int rank, float alpha);

    public static void Save(Model model, string directory)
    {
        Directory.CreateDirectory(directory);
        WriteAtomic(Path.Combine(directory, ConfigFile), model.Config.ToJson());
        // What computed the weights, beside them (not inside config.json, whose bytes are the same on every machine).
        WriteAtomic(Path.Combine(directory, Provenance.EngineProvenance.FileName), Provenance.EngineProvenance.Of(model.Gemm, model.Threads).ToJson());
        SafeTensors.Write(Path.Combine(directory, WeightsFile), Tensors(model.Layout.Layout, model.Parameters));
        string adapterConfig = Path.Combine(directory, AdapterConfigFile), adapterWeights = Path.Combine(directory, AdapterWeightsFile);
        if (model.Lora is { } lora)
        {
            WriteAtomic(adapterConfig, JsonSerializer.Serialize(new AdapterConfig(lora.Rank, lora.Alpha)));
            SafeTensors.Write(adapterWeights, Tensors(lora.Layout, lora.Parameters));
        }
        else
        {
            File.Delete(adapterConfig);
            File.Delete(adapterWeights);
        }
    }

    public static Model Load(string directory, ModelOptions? options = null)
    {
        string configPath = Path.Combine(directory, ConfigFile);
        var config = ModelConfig.FromJson(File.ReadAllText(configPath), configPath);
        var model = new Model(config, options);
        Fill(Path.Combine(directory, WeightsFile), model.Layout.Layout, model.Parameters);
        string adapterConfigPath = Path.Combine(directory, AdapterConfigFile);
        if (File.Exists(adapterConfigPath))
        {
            var ac = JsonSerializer.Deserialize<AdapterConfig>(File.ReadAllText(adapterConfigPath))
                ?? throw new InvalidDataException($"{adapterConfigPath}: empty adapter config");
            var lora = new LoraAdapters(config, ac.rank, ac.alpha, seed: 0);
            Fill(Path.Combine(directory, AdapterWeightsFile), lora.Layout, lora.Parameters);
            model.AttachLora(lora);
        }
        return model;
    }

    static IEnumerable<NamedTensor> Tensors(ParameterLayout layout, float[] block) =>
        layout.Slots.Select(s => new NamedTensor(s.Name, s.Shape, block.AsSpan((int)s.Offset, (int)s.Length).ToArray()));

    /// <summary>Copies every tensor of the layout from the file; a missing, extra or misshapen tensor is an error.</summary>
    static void Fill(string path, ParameterLayout layout, float[] block)
    {
        var (tensors, _) = SafeTensors.Read(path);
        foreach (var slot in layout.Slots)
        {
            if (!tensors.TryGetValue(slot.Name, out var t)) throw new InvalidDataException($"{path}: missing tensor '{slot.Name}'");
            if (!t.Shape.SequenceEqual(slot.Shape))
                throw new InvalidDataException($"{path}: tensor '{slot.Name}' has shape [{string.Join(",", t.Shape)}], config needs [{string.Join(",", slot.Shape)}]");
            t.Data.CopyTo(block, slot.Offset);
        }
        var extra = tensors.Keys.Where(k => !layout.Contains(k)).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"{path}: unexpected tensor(s) {string.Join(", ", extra)}");
    }

    static void WriteAtomic(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
