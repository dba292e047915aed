using System.Text.Json;
using SelfInterp.Core.Backends;

namespace SelfInterp.Server;

/// <summary>The fields of POST /v1/chat/completions this server honours, read with errors that name the field.</summary>
public sealed record ChatCompletionRequest(
    string Model,
    ChatPrompt Prompt,
    double? Temperature,
    int? MaxTokens,
    bool Logprobs,
    int TopLogprobs,
    IReadOnlyList<string> Stop,
    long? Seed,
    int N = 1)
{
    public const int MaxTopLogprobs = 20;
    /// <summary>OpenAI's own ceiling for <c>n</c>.</summary>
    public const int MaxN = 128;
    /// <summary>OpenAI's own ceiling for completions (gpt-4o-mini: 16,384); far beyond any context of ours.</summary>
    public const int MaxCompletionTokens = 16_384;

    public static ChatCompletionRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("the request body must be a JSON object");
        string model = RequestFields.RequiredString(root, "model");
        if (!root.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array || msgs.GetArrayLength() == 0)
            throw ApiError.BadRequest("'messages' must be a non-empty array", "messages");
        var messages = new List<ChatMessage>();
        int i = 0;
        foreach (var m in msgs.EnumerateArray())
        {
            string param = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest($"{param} must be an object", param);
            string role = RequestFields.RequiredString(m, "role", param + ".role");
            role = role switch
            {
                "system" or "developer" => "system",
                "user" or "assistant" => role,
                _ => throw ApiError.BadRequest($"{param}.role '{role}' is not supported (system, developer, user, assistant)", param + ".role"),
            };
            messages.Add(new ChatMessage(role, Content(m, param + ".content")));
        }
        int n = RequestFields.OptionalInt(root, "n") ?? 1;
        if (n is < 1 or > MaxN) throw ApiError.BadRequest($"'n' must be between 1 and {MaxN}", "n");
        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            throw ApiError.BadRequest("streaming is not supported by this server; send stream: false", "stream");

        double? temperature = RequestFields.OptionalNumber(root, "temperature");
        if (temperature is < 0 or > 2) throw ApiError.BadRequest("'temperature' must be between 0 and 2", "temperature");
        int? maxTokens = RequestFields.OptionalInt(root, "max_completion_tokens") ?? RequestFields.OptionalInt(root, "max_tokens");
        if (maxTokens is < 1 or > MaxCompletionTokens)
            throw ApiError.BadRequest($"'max_tokens' must be between 1 and {MaxCompletionTokens}", "max_tokens");
        bool logprobs = root.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True;
        int top = RequestFields.OptionalInt(root, "top_logprobs") ?? 0;
        if (top is < 0 or > MaxTopLogprobs) throw ApiError.BadRequest($"'top_logprobs' must be between 0 and {MaxTopLogprobs}", "top_logprobs");
        return new ChatCompletionRequest(model, new ChatPrompt(messages), temperature, maxTokens, logprobs, top,
            Stops(root), RequestFields.OptionalLong(root, "seed"), n);
    }

    /// <summary>A message's text: a string, or an array of {"type": "text", "text": ...} parts.</summary>
    private static string Content(JsonElement m, string param)
    {
        if (!m.TryGetProperty("content", out var c)) throw ApiError.BadRequest($"'{param}' is required", param);
        if (c.ValueKind == JsonValueKind.String) return c.GetString()!;
        if (c.ValueKind != JsonValueKind.Array) throw ApiError.BadRequest($"'{param}' must be a string or an array of text parts", param);
        var text = new System.Text.StringBuilder();
        foreach (var part in c.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                throw ApiError.BadRequest($"'{param}': only text parts are supported", param);
            text.Append(t.GetString());
        }
        return text.ToString();
    }

    private static IReadOnlyList<string> Stops(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var s) || s.ValueKind == JsonValueKind.Null) return [];
        if (s.ValueKind == JsonValueKind.String) return [s.GetString()!];
        if (s.ValueKind == JsonValueKind.Array && s.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) && s.GetArrayLength() <= 4)
            return s.EnumerateArray().Select(x => x.GetString()!).Where(x => x.Length > 0).ToList();
        throw ApiError.BadRequest("'stop' must be a string or an array of up to 4 strings", "stop");
    }

    /// <summary>The text up to the first stop sequence, as the service would have stopped generating there.</summary>
    public string ApplyStop(string text)
    {
        int cut = text.Length;
        foreach (var s in Stop)
        {
            int at = text.IndexOf(s, StringComparison.Ordinal);
            if (at >= 0 && at < cut) cut = at;
        }
        return text[..cut];
    }
}

/// <summary>Typed reads of JSON request fields; a wrong type is a 400 naming the field.</summary>
public static class RequestFields
{
    public static string RequiredString(JsonElement obj, string name, string? param = null)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String || v.GetString()!.Length == 0)
            throw ApiError.BadRequest($"'{param ?? name}' is required and must be a non-empty string", param ?? name);
        return v.GetString()!;
    }

    public static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw ApiError.BadRequest($"'{name}' must be a string", name);
    }

    public static double? OptionalNumber(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw ApiError.BadRequest($"'{name}' must be a number", name);
    }

    public static int? OptionalInt(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw ApiError.BadRequest($"'{name}' must be an integer", name);
    }

    public static long? OptionalLong(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long i) ? i : throw ApiError.BadRequest($"'{name}' must be an integer", name);
    }

    /// <summary>Parses a JSON request body; malformed JSON, or bytes that are not UTF-8, are a 400 saying where
    /// (a JSON string holding invalid UTF-8 would otherwise fail later, when read, as a 500).</summary>
    public static async Task<JsonDocument> ReadBodyAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (SelfInterp.Core.IO.StrictUtf8.TryDecode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), out int line, out int column) is null)
            throw ApiError.BadRequest($"the request body is not UTF-8 text (line {line}, byte {column})");
        try { return JsonDocument.Parse(buffer.ToArray()); }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"the request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }
    }
}
