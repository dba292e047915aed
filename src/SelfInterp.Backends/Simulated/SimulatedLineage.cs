using System.Text.Json;

namespace SelfInterp.Backends.Simulated;

/// <summary>A simulated model and its ancestors, itself first and the base model last: where an agent reads its state.</summary>
public sealed class SimulatedLineage(IReadOnlyList<SimulatedModel> models)
{
    public string Id => models[0].Id;

    /// <summary>The states an agent left on this model and its ancestors, nearest first (models it never trained skipped).</summary>
    public IEnumerable<T> States<T>(string agent) where T : class
    {
        foreach (var m in models)
            if (m.State<T>(agent) is { } s) yield return s;
    }

    /// <summary>The nearest state the agent left, or null when none of the line was trained by it.</summary>
    public T? Nearest<T>(string agent) where T : class => States<T>(agent).FirstOrDefault();
}
