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
/// </summary>
public sealed class ReplyCache
{
    // Replies stay readable in the file (non-ASCII and quotes as themselves, JSON still escapes what it must).
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private readonly string _path;
    private readonly Dictionary<int, Reply> _replies = new();

    public ReplyCache(string path)
    {
        _path = path;
        if (!File.Exists(path)) return;
        var kept = new StringBuilder();
        foreach (var line in File.ReadAllText(path).Split('\n'))
        {
            if (line.Length == 0) continue;
            Reply? r;
            try { r = JsonSerializer.Deserialize<Reply>(line, Json); }
            catch (JsonException) { continue; } // the torn line of a killed write
            if (r is null || !_replies.TryAdd(r.Index, r)) continue;
            kept.Append(line).Append('\n');
        }
        AtomicFile.WriteAllTextIfChanged(path, kept.ToString());
    }

    public bool TryGet(int index, out Reply reply) => _replies.TryGetValue(index, out reply!);

    public void Append(IEnumerable<Reply> replies)
    {
        var sb = new StringBuilder();
        foreach (var r in replies)
        {
            _replies[r.Index] = r;
            sb.Append(JsonSerializer.Serialize(r, Json)).Append('\n');
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        using var fs = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        fs.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        fs.Flush(flushToDisk: true);
    }
}
