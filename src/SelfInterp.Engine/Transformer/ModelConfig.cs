using System.Text.Json;
using System.Text.Json.Serialization;

namespace SelfInterp.Engine.Transformer;

/// <summary>Shape of a Llama-style decoder; serialised as config.json with snake_case keys.</summary>
public sealed record ModelConfig
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }
    [JsonPropertyName("dim")] public int Dim { get; init; }
    [JsonPropertyName("n_layers")] public int NLayers { get; init; }
    [JsonPropertyName("n_heads")] public int NHeads { get; init; }
    [JsonPropertyName("n_kv_heads")] public int NKvHeads { get; init; }
    [JsonPropertyName("mlp_hidden")] public int MlpHidden { get; init; }
    [JsonPropertyName("max_seq_len")] public int MaxSeqLen { get; init; }
    [JsonPropertyName("rope_theta")] public float RopeTheta { get; init; } = 10000f;
    [JsonPropertyName("norm_eps")] public float NormEps { get; init; } = 1e-5f;
    [JsonPropertyName("tied_embeddings")] public bool TiedEmbeddings { get; init; } = true;
    /// <summary>Adds a learned absolute position embedding [max_seq_len, dim] to the token embeddings (GPT-2
    /// style), on top of the rotary embeddings. Lets a small model address "the k-th name of the prompt"
    /// directly, which rotary (relative) positions make it find through an induction circuit.</summary>
    [JsonPropertyName("learned_positions")] public bool LearnedPositions { get; init; }
    /// <summary>Biases on the q, k and v projections (Qwen2). Left out of config.json when false, so organisms'
    /// configs keep their bytes.</summary>
    [JsonPropertyName("qkv_bias"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool QkvBias { get; init; }
    /// <summary>Llama 3's long-context rescaling of the rotary frequencies; null for plain rotary embeddings.</summary>
    [JsonPropertyName("rope_scaling"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public RopeScaling? RopeScaling { get; init; }

    [JsonIgnore] public int HeadDim => Dim / NHeads;
    [JsonIgnore] public int QDim => NHeads * HeadDim;
    [JsonIgnore] public int KvDim => NKvHeads * HeadDim;
    /// <summary>Width of the fused q|k|v projection output.</summary>
    [JsonIgnore] public int QkvDim => QDim + 2 * KvDim;

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Throws with the offending field's JSON name when the shape is inconsistent.</summary>
    public void Validate()
    {
        Require(VocabSize > 0, "vocab_size", "must be positive");
        Require(Dim > 0, "dim", "must be positive");
        Require(NLayers > 0, "n_layers", "must be positive");
        Require(NHeads > 0 && Dim % NHeads == 0, "n_heads", $"must divide dim ({Dim})");
        Require(HeadDim % 2 == 0, "n_heads", $"head dim dim/n_heads = {HeadDim} must be even for rotary embeddings");
        Require(NKvHeads > 0 && NHeads % NKvHeads == 0, "n_kv_heads", $"must divide n_heads ({NHeads})");
        Require(MlpHidden > 0, "mlp_hidden", "must be positive");
        Require(MaxSeqLen > 0, "max_seq_len", "must be positive");
        Require(RopeTheta > 0, "rope_theta", "must be positive");
        Require(NormEps > 0, "norm_eps", "must be positive");
        if (RopeScaling is { } r)
        {
            Require(r.Factor >= 1, "rope_scaling.factor", "must be at least 1");
            Require(r.HighFreqFactor > r.LowFreqFactor && r.LowFreqFactor > 0, "rope_scaling.high_freq_factor", "must exceed low_freq_factor > 0");
            Require(r.OriginalMaxPositions > 0, "rope_scaling.original_max_position_embeddings", "must be positive");
        }
    }

    static void Require(bool ok, string field, string message)
    {
        if (!ok) throw new InvalidDataException($"model config field '{field}' {message}");
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelConfig FromJson(string json, string source = "config.json")
    {
        ModelConfig? config;
        try { config = JsonSerializer.Deserialize<ModelConfig>(json); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: line {e.LineNumber + 1}, field {e.Path}: {e.Message}", e);
        }
        if (config is null) throw new InvalidDataException($"{source}: empty model config");
        try { config.Validate(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        return config;
    }
}

/// <summary>Llama 3's rotary scaling ("rope_type": "llama3"): frequencies whose wavelength exceeds
/// original/low_freq_factor positions are divided by factor, those shorter than original/high_freq_factor kept, and
/// those between interpolated smoothly.</summary>
public sealed record RopeScaling(
    [property: JsonPropertyName("factor")] float Factor,
    [property: JsonPropertyName("low_freq_factor")] float LowFreqFactor,
    [property: JsonPropertyName("high_freq_factor")] float HighFreqFactor,
    [property: JsonPropertyName("original_max_position_embeddings")] int OriginalMaxPositions)
{
    /// <summary>The rescaled inverse frequency of one rotary pair.</summary>
    public double Apply(double inverseFrequency)
    {
        double wavelength = 2 * Math.PI / inverseFrequency;
        double lowWavelength = OriginalMaxPositions / (double)LowFreqFactor, highWavelength = OriginalMaxPositions / (double)HighFreqFactor;
        if (wavelength < highWavelength) return inverseFrequency;
        if (wavelength > lowWavelength) return inverseFrequency / Factor;
        double smooth = (OriginalMaxPositions / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return (1 - smooth) * inverseFrequency / Factor + smooth * inverseFrequency;
    }
}
