using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SelfInterp.Engine.Tokenization;

/// <summary>
/// The <c>tokenizer.json</c> format, our own:
/// <code>
/// { "format": "selfinterp-tokenizer", "version": 1,
///   "specialTokens": ["&lt;|pad|&gt;", ...],   // ids 0 .. S-1
///   "pieces": ["natural_light", " price", ...] }  // ids S+256 onwards; S .. S+255 are the bytes
/// </code>
/// Written byte-identically for the same tokenizer: fixed field order, two-space indent, "\n" line ends.
/// </summary>
internal static class TokenizerFile
{
    public const string Format = "selfinterp-tokenizer";
    public const int Version = 1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        // Keeps "<|pad|>" and non-ASCII pieces readable; the file is data, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(Tokenizer tokenizer, string path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            WriteStrings(writer, "specialTokens", tokenizer.SpecialTokenTexts);
            WriteStrings(writer, "pieces", tokenizer.Pieces);
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);

        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, buffer.WrittenSpan.ToArray());
        File.Move(temporary, path, overwrite: true);
    }

    public static Tokenizer Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException(path, null,
                $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TokenizerFileException(path, null, $"the top level must be a JSON object, not {root.ValueKind}");

            string format = Required(path, root, "format", JsonValueKind.String).GetString()!;
            if (format != Format)
                throw new TokenizerFileException(path, "format", $"is \"{format}\", expected \"{Format}\"");
            JsonElement version = Required(path, root, "version", JsonValueKind.Number);
            if (!version.TryGetInt32(out int versionNumber) || versionNumber != Version)
                throw new TokenizerFileException(path, "version", $"is {version.GetRawText()}, this reader understands only {Version}");

            List<string> specialTokens = Strings(path, root, "specialTokens");
            List<string> pieces = Strings(path, root, "pieces");
            if (VocabularyCheck.FindProblem(specialTokens, pieces) is { } problem)
                throw new TokenizerFileException(path, problem.Field, problem.Message);
            return new Tokenizer(specialTokens, pieces);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private static JsonElement Required(string path, JsonElement root, string field, JsonValueKind kind)
    {
        if (!root.TryGetProperty(field, out JsonElement value))
            throw new TokenizerFileException(path, field, "is missing");
        if (value.ValueKind != kind)
            throw new TokenizerFileException(path, field, $"must be a JSON {kind}, not {value.ValueKind}");
        return value;
    }

    private static List<string> Strings(string path, JsonElement root, string field)
    {
        var values = new List<string>();
        foreach (JsonElement item in Required(path, root, field, JsonValueKind.Array).EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw new TokenizerFileException(path, $"{field}[{values.Count}]", $"must be a JSON string, not {item.ValueKind}");
            try
            {
                values.Add(item.GetString()!);
            }
            catch (InvalidOperationException e)
            {
                throw new TokenizerFileException(path, $"{field}[{values.Count}]", $"is not a readable string: {e.Message}");
            }
        }
        return values;
    }
}
