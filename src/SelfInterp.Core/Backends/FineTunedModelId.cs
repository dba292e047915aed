using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SelfInterp.Core.Backends;

/// <summary>
/// A fine-tuned model's name from its content: <c>ft:{base}:{suffix}:{hash}</c>, where the hash covers everything
/// that shapes the weights (base model, training data, method and hyperparameters, seed, the job's name). The same
/// inputs give the same id, so a backend may hand back a model it already trained; different inputs always give a
/// different id. On disk a model lives under <see cref="DirectoryName"/>, a short path segment that only the hash
/// decides, so no two ids share a directory whatever their suffixes.
/// </summary>
public static partial class FineTunedModelId
{
    /// <summary>Hex digits of SHA-256 kept in an id: 128 bits, far beyond any chance collision.</summary>
    public const int HashLength = 32;

    [GeneratedRegex("^ft:.+:([0-9a-f]{32})$")]
    private static partial Regex Shape();

    /// <summary>The id of the model trained by the job whose inputs <paramref name="content"/> has hashed.</summary>
    public static string Create(string baseModel, string suffix, ContentHash content) =>
        $"ft:{baseModel}:{IO.FileNames.Safe(suffix)}:{content.Hex[..HashLength]}";

    /// <summary>The directory (or file stem) of a fine-tuned model: <c>ft-{hash}</c>; false if the id is not ours.</summary>
    public static bool TryDirectoryName(string id, out string name)
    {
        var m = Shape().Match(id);
        name = m.Success ? "ft-" + m.Groups[1].Value : "";
        return m.Success;
    }

    public static string DirectoryName(string id) =>
        TryDirectoryName(id, out var name) ? name : throw new Runs.UsageException($"'{id}' is not a fine-tuned model id of this backend");
}

/// <summary>SHA-256 over a sequence of named fields, each length-prefixed so no two sequences hash alike by concatenation.</summary>
public sealed class ContentHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _hex;

    public ContentHash Add(string field, string value) => Add(field, Encoding.UTF8.GetBytes(value));

    public ContentHash Add(string field, ReadOnlySpan<byte> bytes)
    {
        if (_hex is not null) throw new InvalidOperationException("the hash is already finished");
        Field(Encoding.UTF8.GetBytes(field));
        Field(bytes);
        return this;
    }

    /// <summary>Every file of a directory, in ordinal order of name, with its name and bytes.</summary>
    public ContentHash AddDirectory(string field, string directory)
    {
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            Add($"{field}/{Path.GetFileName(file)}", File.ReadAllBytes(file));
        return this;
    }

    public string Hex => _hex ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    private void Field(ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        _hash.AppendData(length);
        _hash.AppendData(bytes);
    }
}
