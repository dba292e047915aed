using System.Text.Json;
using System.Text.Json.Nodes;

namespace SelfInterp.Core.Runs;

/// <summary>
/// The settings in which two run configs differ, each named by its run.json path with both values, so a refused
/// resume says which option to change ("settings.samples: the run has 10, this command 20").
/// </summary>
public static class ConfigDifference
{
    public static IReadOnlyList<string> Between(RunConfig run, RunConfig command)
    {
        var a = Flatten(JsonSerializer.SerializeToNode(run, RunManifest.Json));
        var b = Flatten(JsonSerializer.SerializeToNode(command, RunManifest.Json));
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => $"{k}: the run has {a.GetValueOrDefault(k) ?? "nothing"}, this command {b.GetValueOrDefault(k) ?? "nothing"}")
            .ToList();
    }

    /// <summary>Leaf values by dotted path (arrays compared whole: a list of traits is one setting).</summary>
    private static Dictionary<string, string> Flatten(JsonNode? node)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? n, string path)
        {
            if (n is JsonObject o && o.Count > 0)
                foreach (var (k, v) in o) Walk(v, path.Length == 0 ? k : $"{path}.{k}");
            else leaves[path] = n?.ToJsonString() ?? "null";
        }
        Walk(node, "");
        return leaves;
    }
}
