using System.Text.Json;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>The model families the loader reads: their config.json keys and tensor names are those of
/// transformers' LlamaForCausalLM and Qwen2ForCausalLM.</summary>
public enum HfFamily { Llama, Qwen2 }

/// <summary>Reads a Hugging Face config.json of the Llama or Qwen2 family into the engine's <see cref="ModelConfig"/>.
/// Anything the engine cannot run the same way (another activation, MLP biases, sliding windows, another rope
/// scaling) is refused with the file and field named, rather than run differently.</summary>
public static class HfConfig
{
    public const string FileName = "config.json";

    /// <summary>Positions the engine prepares rotary tables and caches for when the caller gives no limit: real
    /// models declare 32k–128k, which would cost tables nobody uses in the lab's short prompts.</summary>
    public const int DefaultContextLength = 4096;

    public static (ModelConfig Config, HfFamily Family) Read(string directory, int? contextLength = null)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no config.json (a Hugging Face model directory has one)", path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: line {e.LineNumber + 1}: {e.Message}", e); }
        using (doc) return Parse(doc.RootElement, path, contextLength);
    }

    static (ModelConfig, HfFamily) Parse(JsonElement root, string path, int? contextLength)
    {
        var f = new Fields(root, path);
        string modelType = f.String("model_type");
        var family = modelType switch
        {
            "llama" => HfFamily.Llama,
            "qwen2" => HfFamily.Qwen2,
            _ => throw f.Error("model_type", $"'{modelType}' is not supported (llama or qwen2)"),
        };
        string act = f.String("hidden_act", "silu");
        if (act != "silu") throw f.Error("hidden_act", $"'{act}' is not supported (silu)");
        if (f.Bool("mlp_bias", false)) throw f.Error("mlp_bias", "MLP biases are not supported");
        if (family == HfFamily.Qwen2 && f.Bool("use_sliding_window", false)) throw f.Error("use_sliding_window", "sliding-window attention is not supported");
        int dim = f.Int("hidden_size"), heads = f.Int("num_attention_heads");
        if (f.Has("head_dim") && heads > 0 && f.Int("head_dim") * heads != dim)
            throw f.Error("head_dim", $"{f.Int("head_dim")} × {heads} heads ≠ hidden_size {dim}: a separate head size is not supported");
        int maxPositions = f.Int("max_position_embeddings");
        var config = new ModelConfig
        {
            VocabSize = f.Int("vocab_size"),
            Dim = dim,
            NLayers = f.Int("num_hidden_layers"),
            NHeads = heads,
            NKvHeads = f.Has("num_key_value_heads") ? f.Int("num_key_value_heads") : heads,
            MlpHidden = f.Int("intermediate_size"),
            MaxSeqLen = Math.Min(maxPositions, contextLength ?? DefaultContextLength),
            RopeTheta = (float)f.Double("rope_theta", 10000),
            NormEps = (float)f.Double("rms_norm_eps", 1e-6),
            TiedEmbeddings = f.Bool("tie_word_embeddings", false),
            // Qwen2's attention always has q/k/v biases; Llama's only with attention_bias (which also puts one on o_proj).
            QkvBias = family == HfFamily.Qwen2 || f.Bool("attention_bias", false),
            RopeScaling = RopeScalingOf(root, f),
        };
        if (family == HfFamily.Llama && f.Bool("attention_bias", false)) throw f.Error("attention_bias", "Llama's attention_bias also biases o_proj, which is not supported");
        try { config.Validate(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        return (config, family);
    }

    static RopeScaling? RopeScalingOf(JsonElement root, Fields f)
    {
        if (!root.TryGetProperty("rope_scaling", out var rs) || rs.ValueKind == JsonValueKind.Null) return null;
        var s = new Fields(rs, f.Path, "rope_scaling.");
        string type = s.Has("rope_type") ? s.String("rope_type") : s.String("type");
        if (type == "default") return null;
        if (type != "llama3") throw s.Error("rope_type", $"'{type}' is not supported (llama3)");
        return new RopeScaling((float)s.Double("factor"), (float)s.Double("low_freq_factor"), (float)s.Double("high_freq_factor"),
            s.Int("original_max_position_embeddings"));
    }

    /// <summary>Typed reads of a JSON object's fields, with errors naming the file and field.</summary>
    internal sealed class Fields(JsonElement obj, string path, string prefix = "")
    {
        public string Path => path;
        public bool Has(string name) => obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        public InvalidDataException Error(string name, string message) => new($"{path}: field '{prefix}{name}': {message}");

        JsonElement Get(string name) => obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : throw Error(name, "missing");

        public string String(string name) => Get(name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw Error(name, "must be a string");
        public string String(string name, string fallback) => Has(name) ? String(name) : fallback;

        public int Int(string name) => Get(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int i) ? i : throw Error(name, "must be an integer");

        public double Double(string name) => Get(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : throw Error(name, "must be a number");
        public double Double(string name, double fallback) => Has(name) ? Double(name) : fallback;

        public bool Bool(string name, bool fallback) => !Has(name) ? fallback
            : Get(name).ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Error(name, "must be true or false") };
    }
}
