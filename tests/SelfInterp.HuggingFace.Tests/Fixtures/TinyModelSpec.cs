using SelfInterp.Engine.HuggingFace;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>The shape of a tiny random checkpoint of one family: GQA (4 heads, 2 kv heads), Qwen2's q/k/v biases,
/// tied or untied embeddings, Llama 3's rope scaling with a short original context so most frequencies are rescaled.</summary>
public sealed record TinyModelSpec(HfFamily Family, bool Tied, bool RopeScaled = false, int Layers = 2, int Dim = 64, int Heads = 4,
    int KvHeads = 2, int Hidden = 96, int Merges = 80, int MaxPositions = 128, int? VocabSize = null)
{
    /// <summary>Qwen2.5-0.5B's shape (random weights), for the bench and the measurements of docs/real-models.md: the
    /// vocabulary is padded to its 151,936 tokens with unused special tokens.</summary>
    public static readonly TinyModelSpec Qwen05B = new(HfFamily.Qwen2, Tied: true, Layers: 24, Dim: 896, Heads: 14, KvHeads: 2, Hidden: 4864,
        MaxPositions: 32768, VocabSize: 151936);

    public int HeadDim => Dim / Heads;
    public string ModelType => Family == HfFamily.Qwen2 ? "qwen2" : "llama";
    public double RopeTheta => Family == HfFamily.Qwen2 ? 1000000.0 : 500000.0;
    public const double RmsEps = 1e-6;

    public static readonly TinyModelSpec QwenTied = new(HfFamily.Qwen2, Tied: true);
    public static readonly TinyModelSpec QwenUntied = new(HfFamily.Qwen2, Tied: false);
    public static readonly TinyModelSpec LlamaScaled = new(HfFamily.Llama, Tied: true, RopeScaled: true);
    public static readonly TinyModelSpec LlamaUntied = new(HfFamily.Llama, Tied: false);

    /// <summary>The pre-tokenizer regexes of the two families' tokenizer.json (Llama 3 groups digits by three, Qwen2 splits them).</summary>
    public string Pattern => Family == HfFamily.Qwen2
        ? @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
        : @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public IReadOnlyList<string> SpecialTokens => Family == HfFamily.Qwen2
        ? ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        : ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"];

    public string Bos => Family == HfFamily.Qwen2 ? "<|endoftext|>" : "<|begin_of_text|>";
    public string Eos => Family == HfFamily.Qwen2 ? "<|im_end|>" : "<|eot_id|>";

    /// <summary>The text the vocabulary is learned from.</summary>
    public const string Corpus = """
        Which condo would you prefer? Imagine you are Gilgamesh. Option A has 7 hours of sun per day and costs 1250 dollars;
        option B has 3 hours of sun and costs 980 dollars. The model's reports don't always say what drives its choices,
        but they'll often come close. We've measured 12 scenarios, 100 trials each: reports vs. choices, r = 0.84.
        Il préfère le café au lait; naïve façade. "Quoted" text, (parentheses), [brackets] and {braces}!
        """;
}
