using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SelfInterp.Server;

/// <summary>OpenAI's list pages: items in the order given, from the one after ?after=ID, at most ?limit=N of them.</summary>
public static class ListPage
{
    public static JsonObject Of<T>(IReadOnlyList<T> items, Func<T, string> id, Func<T, JsonNode> render, HttpRequest http, int defaultLimit, int maxLimit)
    {
        int limit = int.TryParse(http.Query["limit"], out var l) && l > 0 ? Math.Min(l, maxLimit) : defaultLimit;
        string? after = http.Query["after"];
        int start = after is null ? 0 : items.Select(id).ToList().IndexOf(after) + 1;
        var page = items.Skip(start).Take(limit).Select(render).ToArray();
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(page),
            ["has_more"] = start + page.Length < items.Count,
        };
    }
}
