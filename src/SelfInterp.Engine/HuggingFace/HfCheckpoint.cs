using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>Loads a Hugging Face Llama or Qwen2 checkpoint (config.json + safetensors, single or sharded, F32/F16/BF16)
/// into an engine <see cref="Model"/>: every tensor the config needs, converted to float, under the engine's name.</summary>
public static class HfCheckpoint
{
    public static (Model Model, HfFamily Family) Load(string directory, int? contextLength = null, ModelOptions? options = null)
    {
        var (config, family) = HfConfig.Read(directory, contextLength);
        long total = new DecoderLayout(config).Layout.TotalLength;
        if (total > Array.MaxLength)
            throw new InvalidDataException($"{Path.Combine(directory, HfConfig.FileName)}: {total:N0} parameters exceed the engine's one float block of {Array.MaxLength:N0} (about 2.1 billion parameters)");
        var model = new Model(config, options);
        using var weights = HfWeights.Open(directory);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in model.Layout.Layout.Slots)
        {
            string hf = HfNames.ToHf(slot.Name);
            needed.Add(hf);
            weights.ReadInto(hf, slot.Shape, model.Parameters.AsSpan((int)slot.Offset, (int)slot.Length));
        }
        var extra = weights.Names.Where(n => !needed.Contains(n) && !HfNames.IsIgnorable(n, config.TiedEmbeddings)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"{directory}: tensor(s) the {family} config does not account for: {string.Join(", ", extra.Take(5))}{(extra.Count > 5 ? ", …" : "")}");
        return (model, family);
    }
}
