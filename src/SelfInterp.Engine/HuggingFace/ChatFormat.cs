namespace SelfInterp.Engine.HuggingFace;

/// <summary>One message of a chat.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>The chat formats of the two families, as their tokenizers' chat templates write a conversation (and
/// as llama.cpp's built-in templates of the same names do): ChatML for Qwen2, Llama 3's header format. The text
/// is tokenized with added tokens standing for themselves, as transformers' apply_chat_template does. The
/// templates' extras that are no part of the format are not added: Qwen2.5's default system message when a chat
/// has none, Llama 3.1's knowledge-cutoff preamble.</summary>
public sealed class ChatFormat
{
    public string Name { get; }
    readonly HfTokenizer _tokenizer;
    readonly Func<IReadOnlyList<ChatMessage>, bool, string> _render;
    readonly string? _bos;

    /// <summary>Tokens that end an assistant's turn (generation stops at any of them).</summary>
    public IReadOnlySet<int> StopTokens { get; }

    ChatFormat(string name, HfTokenizer tokenizer, Func<IReadOnlyList<ChatMessage>, bool, string> render, string? bos, IEnumerable<string> stops)
    {
        Name = name;
        _tokenizer = tokenizer;
        _render = render;
        _bos = bos;
        var ids = new HashSet<int>();
        foreach (var s in stops) if (tokenizer.TryGetAddedId(s, out int id)) ids.Add(id);
        if (tokenizer.EosId is { } eos) ids.Add(eos);
        StopTokens = ids;
    }

    public static ChatFormat For(HfFamily family, HfTokenizer tokenizer) => family switch
    {
        HfFamily.Qwen2 => ChatMl(tokenizer),
        _ => Llama3(tokenizer),
    };

    public static ChatFormat ChatMl(HfTokenizer tokenizer) => new("chatml", tokenizer, (messages, generation) =>
    {
        var s = new System.Text.StringBuilder();
        foreach (var m in messages) s.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
        if (generation) s.Append("<|im_start|>assistant\n");
        return s.ToString();
    }, bos: null, ["<|im_end|>", "<|endoftext|>"]);

    public static ChatFormat Llama3(HfTokenizer tokenizer) => new("llama3", tokenizer, (messages, generation) =>
    {
        var s = new System.Text.StringBuilder();
        foreach (var m in messages)
            s.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n").Append(m.Content.Trim()).Append("<|eot_id|>");
        if (generation) s.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return s.ToString();
    }, tokenizer.BosToken ?? "<|begin_of_text|>", ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"]);

    /// <summary>The conversation as text (without the beginning-of-text token, which the tokenizer adds).</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => _render(messages, addGenerationPrompt);

    /// <summary>The conversation's tokens, the beginning-of-text token first where the family has one.</summary>
    public int[] Encode(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => EncodePrefix(Render(messages, addGenerationPrompt));

    /// <summary>The tokens of formatted text (all of <see cref="Render"/>'s output, or the start of it).</summary>
    public int[] EncodePrefix(string renderedText)
    {
        var ids = _tokenizer.EncodeWithSpecialTokens(renderedText);
        if (_bos is null) return ids;
        if (!_tokenizer.TryGetAddedId(_bos, out int bos)) throw new InvalidOperationException($"the tokenizer has no '{_bos}' token, which the {Name} format starts with");
        return [bos, .. ids];
    }
}
