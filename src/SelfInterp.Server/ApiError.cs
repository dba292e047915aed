using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SelfInterp.Server;

/// <summary>A request we refuse, answered in OpenAI's error shape: {"error": {"message", "type", "param", "code"}}.</summary>
public sealed class ApiError(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    public static ApiError BadRequest(string message, string? param = null, string? code = null) => new(400, message, param: param, code: code);
    public static ApiError NotFound(string message, string? param = null, string? code = null) => new(404, message, param: param, code: code);

    public static JsonObject Body(string message, string type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    public IResult ToResult() => Json.Result(Body(Message, Type, Param, Code), Status);

    public Task WriteAsync(HttpContext http) => Json.WriteAsync(http, Body(Message, Type, Param, Code), Status);
}

/// <summary>JSON answers built from nodes: the wire shapes are written out field by field where they are made.</summary>
public static class Json
{
    public static IResult Result(JsonNode body, int status = 200) =>
        Results.Content(body.ToJsonString(), "application/json", System.Text.Encoding.UTF8, status);

    public static async Task WriteAsync(HttpContext http, JsonNode body, int status)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    public static long Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeSeconds();
}
