using System.Text.Json;
using System.Text.Json.Nodes;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>A tiny random checkpoint of a family with its tokenizer, written as a Hugging Face directory (and, by
/// <see cref="GgufWriter"/>, as GGUF for llama.cpp). Weights come from a named seeded stream and are rounded to the
/// stored type, so every format holds exactly the same numbers.</summary>
public sealed class RandomHfModel
{
    public TinyModelSpec Spec { get; }
    public TinyBpe Bpe { get; }
    public IReadOnlyList<HfTensor> Tensors { get; }
    /// <summary>Every token by id: the BPE vocabulary, then the special tokens.</summary>
    public IReadOnlyList<string> Vocabulary { get; }
    public int VocabSize => Vocabulary.Count;

    /// <param name="corpus">The text the vocabulary is learned from; <see cref="TinyModelSpec.Corpus"/> unless given.</param>
    public RandomHfModel(TinyModelSpec spec, ulong seed = 29, StoredType type = StoredType.F32, string? corpus = null)
    {
        Spec = spec;
        Bpe = TinyBpe.Train(corpus ?? TinyModelSpec.Corpus, spec.Pattern, spec.Merges);
        int fillers = spec.VocabSize is { } size ? size - Bpe.Tokens.Count - spec.SpecialTokens.Count : 0;
        Vocabulary = [.. Bpe.Tokens, .. spec.SpecialTokens, .. Enumerable.Range(0, fillers).Select(i => $"<|unused_{i}|>")];
        var rng = new Rng(seed, $"hf-fixture:{spec.ModelType}");
        var tensors = new List<HfTensor>();
        HfTensor Make(string name, int[] shape, Func<double> draw)
        {
            var data = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++) data[i] = Rounding.To(type, (float)draw());
            var t = new HfTensor(name, shape, data);
            tensors.Add(t);
            return t;
        }
        double Weight() => 0.15 * rng.NextGaussian();
        double Gain() => 1 + 0.1 * rng.NextGaussian();
        int d = spec.Dim, kv = spec.KvHeads * spec.HeadDim;
        Make("model.embed_tokens.weight", [VocabSize, d], () => 0.5 * rng.NextGaussian());
        for (int l = 0; l < spec.Layers; l++)
        {
            string p = $"model.layers.{l}.";
            Make(p + "input_layernorm.weight", [d], Gain);
            Make(p + "self_attn.q_proj.weight", [d, d], Weight);
            Make(p + "self_attn.k_proj.weight", [kv, d], Weight);
            Make(p + "self_attn.v_proj.weight", [kv, d], Weight);
            if (spec.Family == HfFamily.Qwen2)
            {
                Make(p + "self_attn.q_proj.bias", [d], Weight);
                Make(p + "self_attn.k_proj.bias", [kv], Weight);
                Make(p + "self_attn.v_proj.bias", [kv], Weight);
            }
            Make(p + "self_attn.o_proj.weight", [d, d], Weight);
            Make(p + "post_attention_layernorm.weight", [d], Gain);
            Make(p + "mlp.gate_proj.weight", [spec.Hidden, d], Weight);
            Make(p + "mlp.up_proj.weight", [spec.Hidden, d], Weight);
            Make(p + "mlp.down_proj.weight", [d, spec.Hidden], Weight);
        }
        Make("model.norm.weight", [d], Gain);
        if (!spec.Tied) Make("lm_head.weight", [VocabSize, d], Weight);
        Tensors = tensors;
    }

    public HfTensor this[string name] => Tensors.First(t => t.Name == name);

    /// <summary>Writes config.json, tokenizer.json, tokenizer_config.json and the weights (one file, or
    /// <paramref name="shards"/> files with model.safetensors.index.json).</summary>
    public string WriteHf(string directory, StoredType type = StoredType.F32, int shards = 1)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), ConfigJson(type).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), TokenizerJson().ToJsonString());
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), TokenizerConfigJson().ToJsonString());
        if (shards == 1) SafeTensorsWriter.Write(Path.Combine(directory, "model.safetensors"), Tensors, type);
        else
        {
            var map = new JsonObject();
            int per = (Tensors.Count + shards - 1) / shards;
            for (int s = 0; s < shards; s++)
            {
                string file = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
                var part = Tensors.Skip(s * per).Take(per).ToList();
                SafeTensorsWriter.Write(Path.Combine(directory, file), part, type);
                foreach (var t in part) map[t.Name] = file;
            }
            var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map };
            File.WriteAllText(Path.Combine(directory, "model.safetensors.index.json"), index.ToJsonString());
        }
        return directory;
    }

    JsonObject ConfigJson(StoredType type)
    {
        var s = Spec;
        var c = new JsonObject
        {
            ["architectures"] = new JsonArray(s.Family == HfFamily.Qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = s.ModelType,
            ["hidden_act"] = "silu",
            ["hidden_size"] = s.Dim,
            ["intermediate_size"] = s.Hidden,
            ["num_attention_heads"] = s.Heads,
            ["num_hidden_layers"] = s.Layers,
            ["num_key_value_heads"] = s.KvHeads,
            ["max_position_embeddings"] = s.MaxPositions,
            ["rms_norm_eps"] = TinyModelSpec.RmsEps,
            ["rope_theta"] = s.RopeTheta,
            ["tie_word_embeddings"] = s.Tied,
            ["torch_dtype"] = type switch { StoredType.F16 => "float16", StoredType.BF16 => "bfloat16", _ => "float32" },
            ["vocab_size"] = VocabSize,
            ["bos_token_id"] = Bpe.Tokens.Count,
        };
        if (s.Family == HfFamily.Llama) c["attention_bias"] = false;
        else c["use_sliding_window"] = false;
        if (s.RopeScaled)
            c["rope_scaling"] = new JsonObject
            {
                ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0,
                ["original_max_position_embeddings"] = 16, ["rope_type"] = "llama3",
            };
        return c;
    }

    public RopeScaling? RopeScaling => Spec.RopeScaled ? new RopeScaling(8f, 1f, 4f, 16) : null;

    JsonObject TokenizerJson()
    {
        var vocab = new JsonObject();
        for (int i = 0; i < Bpe.Tokens.Count; i++) vocab[Bpe.Tokens[i]] = i;
        var added = new JsonArray();
        for (int i = Bpe.Tokens.Count; i < Vocabulary.Count; i++)
            added.Add(new JsonObject
            {
                ["id"] = i, ["content"] = Vocabulary[i], ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = Spec.Family == HfFamily.Qwen2 ? new JsonObject { ["type"] = "NFC" } : null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Spec.Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["ignore_merges"] = Spec.Family == HfFamily.Llama,
                ["vocab"] = vocab,
                // Qwen2's files write merges as "a b", newer Llama 3 files as pairs: both forms are read.
                ["merges"] = new JsonArray(Bpe.Merges.Select(m => Spec.Family == HfFamily.Qwen2
                    ? (JsonNode)JsonValue.Create($"{m.Left} {m.Right}")
                    : new JsonArray(m.Left, m.Right)).ToArray()),
            },
        };
    }

    JsonObject TokenizerConfigJson() => new()
    {
        ["bos_token"] = Spec.Family == HfFamily.Qwen2 ? null : Spec.Bos,
        ["eos_token"] = Spec.Eos,
        ["model_max_length"] = Spec.MaxPositions,
    };
}
