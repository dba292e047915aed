using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;

namespace SelfInterp.Core.Pipeline;

/// <summary>One model reply to item <see cref="Index"/> of a stage: its text, for choices the selection and P(A), and
/// for sampled prompts every sample in order (<see cref="Text"/> null).</summary>
public sealed record Reply(
    [property: JsonPropertyName("i")] int Index,
    [property: JsonPropertyName("reply")] string? Text,
    [property: JsonPropertyName("selection")] string? Selection = null,
    [property: JsonPropertyName("p_a")] double? ProbabilityA = null,
    [property: JsonPropertyName("samples")] IReadOnlyList<string>? Samples = null);

/// <summary>
/// replies/{stage}.jsonl: every reply as soon as its batch is answered, so a killed run re-asks nothing it paid
/// for. On open, a torn last line (the kill) is dropped and the file rewritten, so a resumed run's file ends
/// byte-identical to an uninterrupted one's. The file stays as the record of raw replies (bad reports included).
/// Each line carries a checksum of its reply (<c>"sum"</c>, the first 16 hex digits of the SHA-256 of the reply as
/// serialised): a line edited by hand or by a tool would otherwise be used as the model's answer. A line whose sum
/// does not match, or that lacks one in a file whose other lines have theirs, is refused with its line named (exit 2);
/// deleting it makes the same command ask the model again. Files written before the sums (no line has one) are read
/// as they are.
/// </summary>
public sealed class ReplyCache
{
    // Replies stay readable in the file (non-ASCII and quotes as themselves, JSON still escapes what it must).
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private const string SumField = "sum";
    private readonly string _path;
    private readonly Dictionary<int, Reply> _replies = new();

    public ReplyCache(string path)
    {
        _path = path;
        if (!File.Exists(path)) return;
        var kept = new StringBuilder();
        var lines = File.ReadAllText(path).Split('\n');
        bool summed = lines.Any(l => StoredSum(l) is not null);
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (line.Length == 0) continue;
            Reply? r;
            try { r = JsonSerializer.Deserialize<Reply>(line, Json); }
            catch (JsonException) { continue; } // the torn line of a killed write
            if (r is null) continue;
            if (summed && StoredSum(line) != Sum(Serialise(r)))
                throw new DataFileException(path, n + 1, null, (StoredSum(line) is null ? "the reply has no checksum" : "the reply was altered after it was written (its checksum differs)")
                    + "; an edited reply is never used: delete the line and run the same command to ask the model again");
            if (!_replies.TryAdd(r.Index, r)) continue;
            kept.Append(line).Append('\n');
        }
        AtomicFile.WriteAllTextIfChanged(path, kept.ToString());
    }

    private static string Serialise(Reply r) => JsonSerializer.Serialize(r, Json);

    private static string Sum(string serialised) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(serialised)))[..16];

    /// <summary>The line with its checksum as the last field.</summary>
    private static string WithSum(string serialised) => $"{serialised[..^1]},\"{SumField}\":\"{Sum(serialised)}\"}}";

    private static string? StoredSum(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(SumField, out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    public bool TryGet(int index, out Reply reply) => _replies.TryGetValue(index, out reply!);

    public void Append(IEnumerable<Reply> replies)
    {
        var sb = new StringBuilder();
        foreach (var r in replies)
        {
            _replies[r.Index] = r;
            sb.Append(WithSum(Serialise(r))).Append('\n');
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        using var fs = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        fs.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        fs.Flush(flushToDisk: true);
    }
}
