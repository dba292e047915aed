using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SelfInterp.Server;

/// <summary>OpenAI's list pages: items in the order given, from the one after ?after=ID, at most ?limit=N of them, with
/// the first and last id of the page (OpenAI's document requires them on the files list; an empty page has none).</summary>
public static class ListPage
{
    public static JsonObject Of<T>(IReadOnlyList<T> items, Func<T, string> id, Func<T, JsonNode> render, HttpRequest http, int defaultLimit, int maxLimit)
    {
        int limit = int.TryParse(http.Query["limit"], out var l) && l > 0 ? Math.Min(l, maxLimit) : defaultLimit;
        string? after = http.Query["after"];
        int start = after is null ? 0 : items.Select(id).ToList().IndexOf(after) + 1;
        var shown = items.Skip(start).Take(limit).ToList();
        var result = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(shown.Select(render).ToArray()),
            ["has_more"] = start + shown.Count < items.Count,
        };
        if (shown.Count > 0)
        {
            result["first_id"] = id(shown[0]);
            result["last_id"] = id(shown[^1]);
        }
        return result;
    }
}
