using System.ClientModel;
using System.Text.Json;

namespace SelfInterp.Backends.OpenAI;

/// <summary>A request the service refused for good (a 4xx other than 429, or retries used up): status and the service's message.</summary>
public sealed class OpenAIServiceException(string message, int status, Exception? inner = null) : Exception(message, inner)
{
    public int Status { get; } = status;

    /// <summary>Turns the SDK's exception into one that says what happened, in the service's words where it gave any.</summary>
    public static OpenAIServiceException From(ClientResultException e, string what)
    {
        var message = ServiceMessage(e) ?? e.Message;
        var text = e.Status switch
        {
            401 => $"{what}: the API key was rejected (HTTP 401: {message}); check {OpenAIBackendOptions.ApiKeyVariable}",
            403 => $"{what}: access denied (HTTP 403: {message})",
            404 => $"{what}: not found (HTTP 404: {message})",
            0 => $"{what}: no answer from the service ({message})",
            _ => $"{what}: HTTP {e.Status}: {message}",
        };
        return new OpenAIServiceException(text, e.Status, e);
    }

    /// <summary>error.message from an OpenAI-style error body, if the response had one.</summary>
    public static string? ServiceMessage(ClientResultException e)
    {
        try
        {
            var body = e.GetRawResponse()?.Content;
            if (body is null || body.ToMemory().Length == 0) return null;
            using var doc = JsonDocument.Parse(body.ToMemory());
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                return m.GetString();
        }
        catch (JsonException) { }
        catch (InvalidOperationException) { } // a streamed body not buffered
        return null;
    }
}
