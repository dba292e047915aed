using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;

namespace SelfInterp.Core.Runs;

/// <summary>run.json: the config, versions, the registry of models, each stage's status, and usage counters.</summary>
public sealed class RunManifest
{
    [JsonPropertyName("selfinterp_version")] public string Version { get; set; } = VersionInfo.Current;
    [JsonPropertyName("config")] public RunConfig Config { get; set; } = new();
    [JsonPropertyName("models")] public SortedDictionary<string, ModelRecord> Models { get; set; } = new(StringComparer.Ordinal);
    [JsonPropertyName("stages")] public SortedDictionary<string, StageRecord> Stages { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Token and cost counters from remote services (never keys or other secrets).</summary>
    [JsonPropertyName("usage")] public SortedDictionary<string, double> Usage { get; set; } = new(StringComparer.Ordinal);
    /// <summary>What computed the run (the backend's engine: GEMM, threads, CPU, ...), one entry per distinct set-up
    /// that ran any of it, in order: a run resumed on another machine lists both.</summary>
    [JsonPropertyName("compute")] public List<SortedDictionary<string, string>>? Compute { get; set; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RunManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json)
                ?? throw new DataFileException(path, null, null, "empty manifest");
        }
        catch (JsonException e)
        {
            throw new DataFileException(path, (int?)(e.LineNumber + 1), e.Path, $"not a valid run manifest: {e.Message}");
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}

public sealed class ModelRecord
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("from")] public string? From { get; set; }
    [JsonPropertyName("job_id")] public string? JobId { get; set; }
    [JsonPropertyName("training_file")] public string? TrainingFile { get; set; }
    /// <summary>True for a model trained outside SelfInterp and registered with `models set`; absent otherwise.</summary>
    [JsonPropertyName("registered")] public bool? Registered { get; set; }
    /// <summary>Ids this key held before `models set --replace`, oldest first; absent when never replaced.</summary>
    [JsonPropertyName("replaced")] public List<string>? Replaced { get; set; }
}

public sealed class StageRecord
{
    [JsonPropertyName("status")] public string Status { get; set; } = "pending";
    [JsonPropertyName("seconds")] public double? Seconds { get; set; }
    /// <summary>What the stage wrote: path relative to the run directory → SHA-256 (hex) of its bytes.</summary>
    [JsonPropertyName("outputs")] public SortedDictionary<string, string>? Outputs { get; set; }
    /// <summary>The stage's place in its experiment's graph, so reports list stages in run order.</summary>
    [JsonPropertyName("order")] public int? Order { get; set; }
}

public static class VersionInfo
{
    public static string Current { get; } =
        typeof(VersionInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
