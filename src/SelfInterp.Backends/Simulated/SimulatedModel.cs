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

    public static SimulatedModel Load(string path) =>
        JsonSerializer.Deserialize<SimulatedModel>(File.ReadAllText(path))
        ?? throw new DataFileException(path, null, null, "empty simulated model");

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this));
}
