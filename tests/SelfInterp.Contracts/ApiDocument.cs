using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;
using SharpYaml.Serialization;

namespace SelfInterp.Contracts;

/// <summary>
/// A provider's published OpenAPI document (../shared/api-specs, read with Microsoft.OpenApi and its YAML reader) as a
/// validator: the request body and the answer of each operation, checked against the operation's schema with
/// JsonSchema.Net. Paths are matched against the document's templates after the server's base path (/v1).
/// </summary>
public sealed class ApiDocument
{
    private static readonly Lazy<ApiDocument> TogetherDocument = new(() => Load("together"));
    private static readonly Lazy<ApiDocument> OpenAIDocument = new(() => Load("openai"));
    public static ApiDocument Together => TogetherDocument.Value;
    public static ApiDocument OpenAI => OpenAIDocument.Value;

    public string Name { get; }
    private readonly JsonObject _paths;
    private readonly JsonObject _components;
    private readonly Dictionary<string, JsonSchema> _built = [];

    private ApiDocument(string name, JsonObject root)
    {
        Name = name;
        _paths = root["paths"]!.AsObject();
        _components = Rewrite(root["components"]?["schemas"] ?? new JsonObject())!.AsObject();
    }

    /// <summary>The document in the folder <paramref name="provider"/> beside the test binaries (copied from ../shared/api-specs).</summary>
    public static ApiDocument Load(string provider)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "api-specs", provider, "openapi.yaml");
        if (!File.Exists(path)) throw new FileNotFoundException($"the published API document of {provider} is missing: {path} (from ../shared/api-specs)");
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        using var stream = new MemoryStream(File.ReadAllBytes(path));
        var read = OpenApiDocument.Load(stream, "yaml", settings);
        if (read.Document is null)
            throw new InvalidDataException($"{path}: not an OpenAPI document: {string.Join("; ", read.Diagnostic?.Errors.Select(e => e.Message) ?? [])}");
        // The schemas as the document writes them (the reader's own YAML-to-JSON conversion): re-serialising the
        // parsed model would pass them through the library's idea of each keyword.
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        return new ApiDocument(provider, yaml.Documents[0].ToJsonNode()!.AsObject());
    }

    /// <summary>The document's path template for a request path (the longest literal match wins over a parameter).</summary>
    public string? Template(string requestPath)
    {
        var segments = Strip(requestPath).Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? best = null;
        int bestLiterals = -1;
        foreach (var (template, _) in _paths)
        {
            var parts = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != segments.Length) continue;
            int literals = 0;
            bool match = true;
            for (int i = 0; i < parts.Length && match; i++)
            {
                if (parts[i].StartsWith('{')) continue;
                if (parts[i] == segments[i]) literals++; else match = false;
            }
            if (match && literals > bestLiterals) (best, bestLiterals) = (template, literals);
        }
        return best;
    }

    private static string Strip(string path) => path.StartsWith("/v1/", StringComparison.Ordinal) ? path[3..] : path;

    /// <summary>What is wrong with a request body for METHOD path (empty: it is allowed).</summary>
    public IReadOnlyList<string> CheckRequest(string method, string path, string mediaType, JsonNode? body)
    {
        var (template, operation) = Operation(method, path);
        if (operation["requestBody"]?["content"]?[mediaType]?["schema"] is not { } schema)
            return body is null ? [] : [$"{Name} {method.ToUpperInvariant()} {template}: the document takes no {mediaType} body"];
        return Check(schema, $"{template}|{method}|request|{mediaType}", body, $"{Name} {method.ToUpperInvariant()} {template} request");
    }

    /// <summary>What is wrong with an answer of status <paramref name="status"/> to METHOD path (empty: it is allowed).</summary>
    public IReadOnlyList<string> CheckResponse(string method, string path, int status, JsonNode? body)
    {
        var (template, operation) = Operation(method, path);
        var responses = operation["responses"]!.AsObject();
        var response = responses[status.ToString()] ?? responses[$"{status / 100}XX"] ?? responses["default"];
        string where = $"{Name} {method.ToUpperInvariant()} {template} answer {status}";
        if (response is null && status >= 400 && ErrorSchema is { } error)
            // An error the operation does not list: it must still be in the document's error shape, which clients read.
            return Check(new JsonObject { ["$ref"] = $"#/components/schemas/{error}" }, $"error|{error}", body, where);
        if (response is null)
            return status >= 400 ? [] : [$"{where}: the document lists no such answer (it lists {string.Join(", ", responses.Select(r => r.Key))})"];
        if (response["content"]?["application/json"]?["schema"] is not { } schema) return [];
        return Check(schema, $"{template}|{method}|{status}", body, where);
    }

    /// <summary>The document's own error body: OpenAI's ErrorResponse, Together's ErrorData.</summary>
    private string? ErrorSchema => new[] { "ErrorResponse", "ErrorData" }.FirstOrDefault(n => _components.ContainsKey(n));

    private (string Template, JsonObject Operation) Operation(string method, string path)
    {
        var template = Template(path) ?? throw new ContractException($"{Name}: the document has no path {path}");
        return (template, _paths[template]![method.ToLowerInvariant()]?.AsObject()
            ?? throw new ContractException($"{Name}: the document has no operation {method.ToUpperInvariant()} {template}"));
    }

    private IReadOnlyList<string> Check(JsonNode schema, string key, JsonNode? body, string where)
    {
        JsonSchema built;
        lock (_built)
        {
            if (!_built.TryGetValue(key, out built!))
            {
                // The operation's schema with the component schemas it reaches, as one self-contained JSON Schema.
                var root = new JsonObject
                {
                    ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                    ["$id"] = $"https://contract.selfinterp.test/{Name}/{Guid.NewGuid():N}",
                    ["$defs"] = Reached(Rewrite(schema)!),
                    ["allOf"] = new JsonArray(Rewrite(schema)),
                };
                built = JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 });
                _built[key] = built;
            }
        }
        using var doc = JsonDocument.Parse(body?.ToJsonString() ?? "null");
        var result = built.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        return (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{where}: at '{d.InstanceLocation}' ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .DefaultIfEmpty($"{where}: does not match the document's schema")
            .ToList();
    }

    private static bool IsNullableOnly(JsonNode? n) =>
        n is JsonObject o && o.Count == 1 && o["nullable"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>The component schemas a schema refers to, directly or through others.</summary>
    private JsonObject Reached(JsonNode schema)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var todo = new Stack<JsonNode>([schema]);
        while (todo.Count > 0)
            switch (todo.Pop())
            {
                case JsonObject o:
                    if (o["$ref"] is JsonValue r && r.GetValue<string>() is var s && s.StartsWith("#/$defs/", StringComparison.Ordinal)
                        && names.Add(s["#/$defs/".Length..]) && _components[s["#/$defs/".Length..]] is { } target)
                        todo.Push(target);
                    foreach (var (_, v) in o) if (v is not null) todo.Push(v);
                    break;
                case JsonArray a:
                    foreach (var v in a) if (v is not null) todo.Push(v);
                    break;
            }
        var defs = new JsonObject();
        foreach (var n in names) defs[n] = _components[n]?.DeepClone();
        return defs;
    }

    /// <summary>
    /// Refs into the components point into the schema's own $defs; `nullable: true` (OpenAPI 3.0's word, which
    /// both documents still use in places) allows null, and a boolean exclusiveMinimum makes its minimum exclusive,
    /// as the documents mean them.
    /// </summary>
    private JsonNode? Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o when o["allOf"] is JsonArray all && all.Any(IsNullableOnly):
                // allOf [{nullable: true}, X]: the document's way of saying "X or null".
                var rest = o.Where(p => p.Key != "allOf").ToDictionary(p => p.Key, p => p.Value?.DeepClone());
                var parts = new JsonObject(rest) { ["allOf"] = new JsonArray(all.Where(a => !IsNullableOnly(a)).Select(a => a?.DeepClone()).ToArray()) };
                return new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, Rewrite(parts)) };
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o) copy[k] = Rewrite(v);
                if (copy["$ref"] is JsonValue r && r.GetValue<string>() is var s && s.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    copy["$ref"] = $"#/$defs/{s["#/components/schemas/".Length..]}";
                // OpenAPI 3.0's boolean exclusiveMinimum/Maximum (the OpenAI document still has them) as JSON Schema's numbers.
                foreach (var (exclusive, bound) in new[] { ("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum") })
                    if (copy[exclusive] is JsonValue x && x.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        copy.Remove(exclusive);
                        if (x.GetValueKind() == JsonValueKind.True && copy[bound] is { } limit)
                        {
                            copy.Remove(bound);
                            copy[exclusive] = limit;
                        }
                    }
                if (copy["nullable"] is JsonValue n && n.GetValueKind() == JsonValueKind.True)
                {
                    copy.Remove("nullable");
                    return new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, copy) };
                }
                return copy;
            case JsonArray a:
                return new JsonArray(a.Select(Rewrite).ToArray());
            default:
                return node?.DeepClone();
        }
    }
}

public sealed class ContractException(string message) : Exception(message);
