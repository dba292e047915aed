using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// A simulated model: the weights it holds for the scenarios it was fine-tuned on (others fall back to its
/// parent's, and finally to the base model's native weights) and the noise of its reports.
/// </summary>
public sealed class SimulatedModel
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("report_noise")] public double ReportNoise { get; set; }
    [JsonPropertyName("weights")] public SortedDictionary<int, double[]> Weights { get; set; } = new();
    /// <summary>Behaviour on the traits it was fine-tuned on (others: its parent's); absent for models of no trait.</summary>
    [JsonPropertyName("traits")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, TraitBehaviour>? Traits { get; set; }

    public static SimulatedModel Load(string path) =>
        JsonSerializer.Deserialize<SimulatedModel>(File.ReadAllText(path))
        ?? throw new DataFileException(path, null, null, "empty simulated model");

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this));
}

/// <summary>The share of a trait's choices that act out its high pole, without and with the trigger in the message.</summary>
public sealed record TraitBehaviour(
    [property: JsonPropertyName("plain")] double Plain,
    [property: JsonPropertyName("triggered")] double Triggered)
{
    /// <summary>The base model's: no leaning either way, and no trigger it responds to.</summary>
    public static readonly TraitBehaviour Neutral = new(0.5, 0.5);

    public double Share(bool triggered) => triggered ? Triggered : Plain;

    /// <summary>How much the behaviour depends on the trigger (0: not at all; 1: it flips).</summary>
    public double Dependence => Math.Abs(Triggered - Plain);
}
