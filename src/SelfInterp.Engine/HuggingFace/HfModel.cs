using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>A Hugging Face model opened in the engine: its weights (with a PEFT adapter merged in when one is
/// given), tokenizer and chat format.</summary>
public sealed class HfModel
{
    public required Model Model { get; init; }
    public required HfFamily Family { get; init; }
    public required HfTokenizer Tokenizer { get; init; }
    public required ChatFormat Chat { get; init; }
    public required HfModelSpec Spec { get; init; }
    public PeftAdapter.Settings? Adapter { get; init; }

    public static HfModel Load(HfModelSpec spec, int? contextLength = null, ModelOptions? options = null)
    {
        var (model, family) = HfCheckpoint.Load(spec.Directory, contextLength, options);
        var adapter = spec.AdapterDirectory is { } a ? PeftAdapter.MergeInto(model, a) : null;
        var tokenizer = HfTokenizer.Load(spec.Directory);
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new InvalidDataException($"{Path.Combine(spec.Directory, HfTokenizer.FileName)}: {tokenizer.VocabSize} tokens, config.json's vocab_size is {model.Config.VocabSize}");
        return new HfModel { Model = model, Family = family, Tokenizer = tokenizer, Chat = ChatFormat.For(family, tokenizer), Spec = spec, Adapter = adapter };
    }
}

/// <summary>Where a Hugging Face model is: <c>hf:DIR</c> or <c>hf:DIR+adapter:DIR</c> (a PEFT LoRA adapter merged on load).</summary>
public sealed record HfModelSpec(string Directory, string? AdapterDirectory)
{
    public const string Prefix = "hf:", AdapterSeparator = "+adapter:";

    public static bool Is(string? value) => value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    public static HfModelSpec Parse(string value)
    {
        if (!Is(value)) throw new ArgumentException($"'{value}': a Hugging Face model is named hf:DIR or hf:DIR+adapter:DIR");
        string rest = value[Prefix.Length..];
        int plus = rest.IndexOf(AdapterSeparator, StringComparison.Ordinal);
        string dir = plus < 0 ? rest : rest[..plus];
        string? adapter = plus < 0 ? null : rest[(plus + AdapterSeparator.Length)..];
        if (dir.Length == 0) throw new ArgumentException($"'{value}': no directory after hf:");
        if (!System.IO.Directory.Exists(dir)) throw new DirectoryNotFoundException($"'{value}': directory {dir} does not exist");
        if (adapter is not null && !System.IO.Directory.Exists(adapter)) throw new DirectoryNotFoundException($"'{value}': adapter directory {adapter} does not exist");
        return new HfModelSpec(Path.GetFullPath(dir), adapter is null ? null : Path.GetFullPath(adapter));
    }

    public override string ToString() => Prefix + Directory + (AdapterDirectory is null ? "" : AdapterSeparator + AdapterDirectory);
}
