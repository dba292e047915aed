using System.Text;
using SelfInterp.Engine.HuggingFace;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>Writes a <see cref="RandomHfModel"/> as a GGUF file (version 3) for llama.cpp, written from the format's
/// published description: header, typed key-value metadata, tensor infos (dims innermost first), then F32 tensor
/// data aligned to 32 bytes. Tensor names and keys follow llama.cpp's llama and qwen2 architectures; for llama, q
/// and k rows are reordered per head from Hugging Face's rotate-half pairs (i, i + d/2) to llama.cpp's adjacent
/// pairs (2i, 2i + 1), as its converter does; Llama 3's rope scaling goes in as per-frequency divisors (rope_freqs).</summary>
public static class GgufWriter
{
    const uint Magic = 0x46554747; // "GGUF" little-endian
    const int Alignment = 32;
    enum ValueType : uint { UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9 }

    public static string Write(RandomHfModel model, string path)
    {
        var s = model.Spec;
        string arch = s.ModelType;
        var kv = new List<(string Key, Action<BinaryWriter> Value)>();
        void U32(string k, uint v) => kv.Add((k, w => { w.Write((uint)ValueType.UInt32); w.Write(v); }));
        void F32(string k, float v) => kv.Add((k, w => { w.Write((uint)ValueType.Float32); w.Write(v); }));
        void Bool(string k, bool v) => kv.Add((k, w => { w.Write((uint)ValueType.Bool); w.Write((byte)(v ? 1 : 0)); }));
        void Str(string k, string v) => kv.Add((k, w => { w.Write((uint)ValueType.String); WriteString(w, v); }));
        void Strings(string k, IReadOnlyList<string> v) => kv.Add((k, w =>
        {
            w.Write((uint)ValueType.Array); w.Write((uint)ValueType.String); w.Write((ulong)v.Count);
            foreach (var x in v) WriteString(w, x);
        }));
        void Ints(string k, IReadOnlyList<int> v) => kv.Add((k, w =>
        {
            w.Write((uint)ValueType.Array); w.Write((uint)ValueType.Int32); w.Write((ulong)v.Count);
            foreach (var x in v) w.Write(x);
        }));

        Str("general.architecture", arch);
        Str("general.name", $"tiny-random-{arch}");
        U32($"{arch}.context_length", (uint)s.MaxPositions);
        U32($"{arch}.embedding_length", (uint)s.Dim);
        U32($"{arch}.block_count", (uint)s.Layers);
        U32($"{arch}.feed_forward_length", (uint)s.Hidden);
        U32($"{arch}.attention.head_count", (uint)s.Heads);
        U32($"{arch}.attention.head_count_kv", (uint)s.KvHeads);
        U32($"{arch}.rope.dimension_count", (uint)s.HeadDim);
        U32($"{arch}.vocab_size", (uint)model.VocabSize);
        F32($"{arch}.rope.freq_base", (float)s.RopeTheta);
        F32($"{arch}.attention.layer_norm_rms_epsilon", (float)TinyModelSpec.RmsEps);
        U32("general.file_type", 0); // all F32
        Str("tokenizer.ggml.model", "gpt2");
        Str("tokenizer.ggml.pre", s.Family == HfFamily.Qwen2 ? "qwen2" : "llama-bpe");
        Strings("tokenizer.ggml.tokens", model.Vocabulary);
        int firstSpecial = model.Bpe.Tokens.Count;
        Ints("tokenizer.ggml.token_type", Enumerable.Range(0, model.VocabSize).Select(i => i >= firstSpecial ? 3 : 1).ToList()); // 3 = control
        Strings("tokenizer.ggml.merges", model.Bpe.Merges.Select(m => $"{m.Left} {m.Right}").ToList());
        U32("tokenizer.ggml.bos_token_id", (uint)model.Vocabulary.ToList().IndexOf(s.Bos));
        U32("tokenizer.ggml.eos_token_id", (uint)model.Vocabulary.ToList().IndexOf(s.Eos));
        Bool("tokenizer.ggml.add_bos_token", false);

        var tensors = GgufTensors(model);
        using var f = File.Create(path);
        using var w = new BinaryWriter(f, Encoding.UTF8);
        w.Write(Magic);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)kv.Count);
        foreach (var (key, value) in kv) { WriteString(w, key); value(w); }
        ulong offset = 0;
        foreach (var (name, dims, data) in tensors)
        {
            WriteString(w, name);
            w.Write((uint)dims.Length);
            foreach (var d in dims) w.Write((ulong)d);
            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset = Align(offset + 4UL * (ulong)data.Length);
        }
        Pad(w);
        foreach (var (_, _, data) in tensors)
        {
            foreach (float x in data) w.Write(x);
            Pad(w);
        }
        return path;
    }

    static ulong Align(ulong x) => (x + Alignment - 1) / Alignment * Alignment;

    static void Pad(BinaryWriter w)
    {
        while (w.BaseStream.Position % Alignment != 0) w.Write((byte)0);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    /// <summary>(GGUF name, dims innermost first, data) for every tensor.</summary>
    static List<(string Name, int[] Dims, float[] Data)> GgufTensors(RandomHfModel model)
    {
        var s = model.Spec;
        var list = new List<(string, int[], float[])>();
        void Add(string name, HfTensor t, float[]? data = null) => list.Add((name, t.Shape.Reverse().ToArray(), data ?? t.Data));
        Add("token_embd.weight", model["model.embed_tokens.weight"]);
        for (int l = 0; l < s.Layers; l++)
        {
            string h = $"model.layers.{l}.", g = $"blk.{l}.";
            Add(g + "attn_norm.weight", model[h + "input_layernorm.weight"]);
            foreach (var (part, heads) in new[] { ("q", s.Heads), ("k", s.KvHeads) })
            {
                var t = model[h + $"self_attn.{part}_proj.weight"];
                Add(g + $"attn_{part}.weight", t, s.Family == HfFamily.Llama ? ToAdjacentPairs(t.Data, heads, s.HeadDim, t.Shape[1]) : null);
            }
            Add(g + "attn_v.weight", model[h + "self_attn.v_proj.weight"]);
            if (s.Family == HfFamily.Qwen2)
                foreach (var part in new[] { "q", "k", "v" }) Add(g + $"attn_{part}.bias", model[h + $"self_attn.{part}_proj.bias"]);
            Add(g + "attn_output.weight", model[h + "self_attn.o_proj.weight"]);
            Add(g + "ffn_norm.weight", model[h + "post_attention_layernorm.weight"]);
            Add(g + "ffn_gate.weight", model[h + "mlp.gate_proj.weight"]);
            Add(g + "ffn_up.weight", model[h + "mlp.up_proj.weight"]);
            Add(g + "ffn_down.weight", model[h + "mlp.down_proj.weight"]);
        }
        Add("output_norm.weight", model["model.norm.weight"]);
        if (!s.Tied) Add("output.weight", model["lm_head.weight"]);
        if (model.RopeScaling is { } r) list.Add(("rope_freqs.weight", [s.HeadDim / 2], RopeFactors(s, r.Factor, r.LowFreqFactor, r.HighFreqFactor, r.OriginalMaxPositions)));
        return list;
    }

    /// <summary>What llama.cpp divides each rotary frequency by, written from Llama 3's published rule: 1 for
    /// wavelengths under original/high, factor above original/low, and between them the reciprocal of the blend
    /// (1 − smooth)/factor + smooth, smooth = (original/wavelength − low)/(high − low).</summary>
    static float[] RopeFactors(TinyModelSpec s, double factor, double low, double high, int original)
    {
        var result = new float[s.HeadDim / 2];
        for (int i = 0; i < result.Length; i++)
        {
            double wavelength = 2 * Math.PI / Math.Pow(s.RopeTheta, -2.0 * i / s.HeadDim);
            if (wavelength < original / high) result[i] = 1;
            else if (wavelength > original / low) result[i] = (float)factor;
            else
            {
                double smooth = (original / wavelength - low) / (high - low);
                result[i] = (float)(1 / ((1 - smooth) / factor + smooth));
            }
        }
        return result;
    }

    /// <summary>Within each head, row h·(d/2) + i (rotate-half pair i, half h) moves to row 2i + h.</summary>
    static float[] ToAdjacentPairs(float[] w, int heads, int headDim, int columns)
    {
        var result = new float[w.Length];
        int half = headDim / 2;
        for (int head = 0; head < heads; head++)
            for (int part = 0; part < 2; part++)
                for (int i = 0; i < half; i++)
                    Array.Copy(w, (long)(head * headDim + part * half + i) * columns, result, (long)(head * headDim + 2 * i + part) * columns, columns);
        return result;
    }
}
