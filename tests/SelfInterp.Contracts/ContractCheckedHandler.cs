using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SelfInterp.Contracts;

/// <summary>
/// Sits between a client and a service (a fake or a real server on loopback) and checks every request body and every
/// answer against the published document. A violation is recorded and thrown, so neither a client that sends what
/// the API does not take nor a fake that answers what the API never would can pass a test.
/// </summary>
public sealed class ContractCheckedHandler : DelegatingHandler
{
    private readonly ApiDocument _document;
    private readonly List<string> _violations = [];
    private readonly List<string> _checked = [];

    public ContractCheckedHandler(ApiDocument document, HttpMessageHandler inner) : base(inner) => _document = document;

    public IReadOnlyList<string> Violations { get { lock (_violations) return [.. _violations]; } }

    /// <summary>"METHOD template status" of every exchange that was checked, for tests that list what they covered.</summary>
    public IReadOnlyList<string> Checked { get { lock (_violations) return [.. _checked]; } }

    public void AssertClean()
    {
        var v = Violations;
        if (v.Count > 0) throw new ContractException($"{v.Count} contract violation(s):\n" + string.Join("\n", v));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        string method = request.Method.Method, path = request.RequestUri!.AbsolutePath;
        var (mediaType, body) = await RequestBody(request.Content, ct);
        Record(ContractExceptions.Request(_document, method, path, mediaType, body));

        var response = await base.SendAsync(request, ct);
        JsonNode? answer = null;
        if (response.Content is { } content)
        {
            await content.LoadIntoBufferAsync(ct);
            var text = await content.ReadAsStringAsync(ct);
            if (text.Length > 0 && content.Headers.ContentType?.MediaType == "application/json")
            {
                try { answer = JsonNode.Parse(text); }
                catch (JsonException) { Record([$"{_document.Name} {method} {path}: answer {(int)response.StatusCode} is not JSON"]); }
            }
        }
        Record(ContractExceptions.Response(_document, method, path, (int)response.StatusCode, answer));
        lock (_violations) _checked.Add($"{method} {_document.Template(path)} {(int)response.StatusCode}");
        return response;
    }

    private void Record(IReadOnlyList<string> problems)
    {
        if (problems.Count == 0) return;
        lock (_violations) _violations.AddRange(problems);
        throw new ContractException(string.Join("\n", problems));
    }

    /// <summary>A JSON body as it is; a multipart form as an object of its fields (a file part as a string), as the document describes it.</summary>
    public static async Task<(string MediaType, JsonNode? Body)> RequestBody(HttpContent? content, CancellationToken ct)
    {
        if (content is null) return ("application/json", null);
        if (content is MultipartFormDataContent || content.Headers.ContentType?.MediaType == "multipart/form-data")
        {
            var fields = new JsonObject();
            foreach (var (name, (value, isFile)) in await FormFields(content, ct))
                fields[name] = isFile ? $"<{value.Length} bytes>" : System.Text.Encoding.UTF8.GetString(value);
            return ("multipart/form-data", fields);
        }
        await content.LoadIntoBufferAsync(ct);
        var text = await content.ReadAsStringAsync(ct);
        return (content.Headers.ContentType?.MediaType ?? "application/json", text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The parts of a multipart form, by name: the bytes, and whether the part is a file. Read from the bytes
    /// themselves, so a form built by any client (OpenAI's SDK writes its own; a loopback request arrives as bytes) reads alike.</summary>
    public static async Task<Dictionary<string, (byte[] Value, bool IsFile)>> FormFields(HttpContent content, CancellationToken ct)
    {
        var fields = new Dictionary<string, (byte[], bool)>();
        if (content is MultipartFormDataContent form)
        {
            foreach (var part in form)
                fields[part.Headers.ContentDisposition?.Name?.Trim('"') ?? ""] = (await part.ReadAsByteArrayAsync(ct), part.Headers.ContentDisposition?.FileName is not null);
            return fields;
        }
        await content.LoadIntoBufferAsync(ct);
        string boundary = content.Headers.ContentType!.Parameters.First(p => p.Name == "boundary").Value!.Trim('"');
        // Latin-1 maps every byte to one char, so the parts' bytes come back exactly.
        string body = System.Text.Encoding.Latin1.GetString(await content.ReadAsByteArrayAsync(ct));
        foreach (var part in body.Split("--" + boundary).Skip(1))
        {
            if (part.StartsWith("--", StringComparison.Ordinal)) break;
            int split = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (split < 0) continue;
            string headers = part[..split], value = part[(split + 4)..];
            if (value.EndsWith("\r\n", StringComparison.Ordinal)) value = value[..^2];
            var name = System.Text.RegularExpressions.Regex.Match(headers, "name=\"?([^\";\r\n]+)").Groups[1].Value;
            fields[name] = (System.Text.Encoding.Latin1.GetBytes(value), headers.Contains("filename=", StringComparison.OrdinalIgnoreCase));
        }
        return fields;
    }
}
