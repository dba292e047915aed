namespace SelfInterp.Engine.Tokenization;

/// <summary>
/// The texts of the special tokens every tokenizer carries. They take the lowest ids, in this
/// order, and are only ever produced by <see cref="Tokenizer.EncodeWithSpecialTokens"/> or by
/// the caller; plain <see cref="Tokenizer.Encode(string)"/> never yields them.
/// </summary>
public static class SpecialTokens
{
    public const string Pad = "<|pad|>";
    public const string Bos = "<|bos|>";
    public const string Eos = "<|eos|>";
    public const string System = "<|system|>";
    public const string User = "<|user|>";
    public const string Assistant = "<|assistant|>";
    public const string End = "<|end|>";

    /// <summary>The standard special tokens, in id order.</summary>
    public static IReadOnlyList<string> Standard { get; } = [Pad, Bos, Eos, System, User, Assistant, End];
}
