using System.Text;
using System.Text.Json;
using SelfInterp.Core.Backends;
using SelfInterp.Core.IO;

namespace SelfInterp.Core.Datasets;

/// <summary>The chat fine-tuning format: one {"messages": [system, user, assistant]} object per line.</summary>
public static class ChatJsonl
{
    // Keep non-ASCII text readable in the file (JSON allows it); still escapes quotes and control characters.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Line(TrainingExample example)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            foreach (var m in example.Prompt.Messages) WriteMessage(w, m);
            WriteMessage(w, ChatMessage.Assistant(example.Answer));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage m)
    {
        w.WriteStartObject();
        w.WriteString("role", m.Role);
        w.WriteString("content", m.Content);
        w.WriteEndObject();
    }

    /// <summary>The file's bytes: what a backend trains on, and what a fine-tuned model's id hashes.</summary>
    public static byte[] Bytes(IEnumerable<TrainingExample> examples)
    {
        var sb = new StringBuilder();
        foreach (var e in examples) sb.Append(Line(e)).Append('\n');
        return new UTF8Encoding(false).GetBytes(sb.ToString());
    }

    /// <summary>Writes the file, leaving it untouched when it already holds these bytes.</summary>
    public static void Write(string path, IEnumerable<TrainingExample> examples) =>
        AtomicFile.WriteAllBytesIfChanged(path, Bytes(examples));

    /// <summary>Reads chat JSONL: the last message must be the assistant's answer. Errors name the file, line and field.</summary>
    /// An invalid UTF-8 byte is refused with its line (<see cref="StrictUtf8"/>).
    public static List<TrainingExample> Read(string path) => Parse(path, StrictUtf8.ReadAllText(path));

    public static List<TrainingExample> Parse(string path, string text)
    {
        var examples = new List<TrainingExample>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            int n = i + 1;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new DataFileException(path, n, null, $"not JSON: {e.Message}"); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array)
                    throw new DataFileException(path, n, "messages", "expected an object with a 'messages' array");
                var messages = new List<ChatMessage>();
                int k = 0;
                foreach (var m in msgs.EnumerateArray())
                {
                    if (m.ValueKind != JsonValueKind.Object
                        || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                        || !m.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                        throw new DataFileException(path, n, $"messages[{k}]", "expected {\"role\": string, \"content\": string}");
                    messages.Add(new ChatMessage(role.GetString()!, content.GetString()!));
                    k++;
                }
                if (messages.Count < 2 || messages[^1].Role != "assistant")
                    throw new DataFileException(path, n, "messages", "the last message must be the assistant's answer");
                examples.Add(new TrainingExample(new ChatPrompt(messages[..^1]), messages[^1].Content));
            }
        }
        if (examples.Count == 0) throw new DataFileException(path, null, null, "no examples");
        return examples;
    }
}
