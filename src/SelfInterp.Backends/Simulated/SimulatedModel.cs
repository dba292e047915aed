using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// A simulated model: its parent and, per agent that fine-tuned it, what it learnt (the agent's own JSON). What it
/// did not learn it takes from its parent, and finally from the base model (<see cref="ISimulatedAgent"/>).
/// </summary>
public sealed class SimulatedModel
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("agents")] public SortedDictionary<string, JsonNode> Agents { get; set; } = new(StringComparer.Ordinal);

    private readonly Dictionary<string, object> _read = new(StringComparer.Ordinal);

    /// <summary>An agent's state, read once.</summary>
    public T? State<T>(string agent) where T : class
    {
        if (_read.TryGetValue(agent, out var s)) return (T)s;
        if (!Agents.TryGetValue(agent, out var node)) return null;
        var state = node.Deserialize<T>() ?? throw new DataFileException(Id, null, agent, "empty agent state");
        _read[agent] = state;
        return state;
    }

    public static SimulatedModel Load(string path) =>
        JsonSerializer.Deserialize<SimulatedModel>(File.ReadAllText(path))
        ?? throw new DataFileException(path, null, null, "empty simulated model");

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this));
}
