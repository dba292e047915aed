namespace SelfInterp.Engine.HuggingFace;

/// <summary>The engine's tensor names (Meta's llama names) and the Hugging Face names of the same tensors in
/// transformers' Llama and Qwen2 models.</summary>
public static class HfNames
{
    static readonly (string Engine, string Hf)[] LayerParts =
    [
        ("attention_norm.weight", "input_layernorm.weight"),
        ("attention.wq.weight", "self_attn.q_proj.weight"),
        ("attention.wk.weight", "self_attn.k_proj.weight"),
        ("attention.wv.weight", "self_attn.v_proj.weight"),
        ("attention.wq.bias", "self_attn.q_proj.bias"),
        ("attention.wk.bias", "self_attn.k_proj.bias"),
        ("attention.wv.bias", "self_attn.v_proj.bias"),
        ("attention.wo.weight", "self_attn.o_proj.weight"),
        ("ffn_norm.weight", "post_attention_layernorm.weight"),
        ("feed_forward.w1.weight", "mlp.gate_proj.weight"),
        ("feed_forward.w3.weight", "mlp.up_proj.weight"),
        ("feed_forward.w2.weight", "mlp.down_proj.weight"),
    ];

    /// <summary>The Hugging Face name of an engine tensor.</summary>
    public static string ToHf(string engineName)
    {
        switch (engineName)
        {
            case "tok_embeddings.weight": return "model.embed_tokens.weight";
            case "norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
        }
        if (engineName.StartsWith("layers.", StringComparison.Ordinal))
        {
            int dot = engineName.IndexOf('.', 7);
            string layer = engineName[7..dot], part = engineName[(dot + 1)..];
            foreach (var (e, h) in LayerParts)
                if (e == part) return $"model.layers.{layer}.{h}";
        }
        throw new ArgumentException($"engine tensor '{engineName}' has no Hugging Face name");
    }

    /// <summary>Tensors a checkpoint may hold that the engine does not need: rotary tables that older exports saved,
    /// and the output head of a model whose config ties it to the embeddings.</summary>
    public static bool IsIgnorable(string hfName, bool tiedEmbeddings) =>
        hfName.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (tiedEmbeddings && hfName == "lm_head.weight");
}
