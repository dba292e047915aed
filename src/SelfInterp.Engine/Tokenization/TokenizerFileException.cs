namespace SelfInterp.Engine.Tokenization;

/// <summary>A tokenizer file that cannot be read: names the file and, when known, the field.</summary>
public sealed class TokenizerFileException(string path, string? field, string problem)
    : Exception(field is null
        ? $"tokenizer file '{path}': {problem}"
        : $"tokenizer file '{path}', field '{field}': {problem}")
{
    public string FilePath { get; } = path;
    public string? Field { get; } = field;
}
