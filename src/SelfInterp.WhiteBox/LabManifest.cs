using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;

namespace SelfInterp.WhiteBox;

/// <summary>analysis/lab.json: how each lab command last wrote its results (its settings and the scenarios each model
/// was measured on), so that a reduced lab (`--scenarios`) is never read as the full one: the report and the command's
/// own output say so.</summary>
public sealed class LabManifest
{
    public const string FileName = "lab.json";

    [JsonPropertyName("commands")] public SortedDictionary<string, Entry> Commands { get; set; } = new(StringComparer.Ordinal);

    public sealed class Entry
    {
        [JsonPropertyName("trials")] public int Trials { get; init; }
        [JsonPropertyName("reports")] public int Reports { get; init; }
        [JsonPropertyName("held_out")] public bool HeldOut { get; init; }
        /// <summary>`--scenarios`: at most this many instilled and native scenarios per model; null for all.</summary>
        [JsonPropertyName("scenario_limit")] public int? ScenarioLimit { get; init; }
        /// <summary>The most tokens decoded per report, beside the run's own setting.</summary>
        [JsonPropertyName("report_max_tokens")] public int ReportMaxTokens { get; init; }
        [JsonPropertyName("report_max_tokens_in_run")] public int ReportMaxTokensInRun { get; init; }
        /// <summary>Some model was measured on fewer scenarios than the run has for it.</summary>
        [JsonPropertyName("reduced")] public bool Reduced { get; init; }
        /// <summary>The command's own settings (null draws, steering strengths, ...).</summary>
        [JsonPropertyName("settings")] public SortedDictionary<string, string> Settings { get; init; } = new(StringComparer.Ordinal);
        [JsonPropertyName("models")] public List<ModelScenarios> Models { get; init; } = [];
    }

    /// <summary>The scenarios one model was measured on, beside how many of each kind the run has for it.</summary>
    public sealed record ModelScenarios(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("instilled")] IReadOnlyList<int> Instilled,
        [property: JsonPropertyName("native")] IReadOnlyList<int> Native,
        [property: JsonPropertyName("instilled_in_run")] int InstilledInRun,
        [property: JsonPropertyName("native_in_run")] int NativeInRun);

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static Entry Describe(LabRun run, int trials, int reports, IDictionary<string, string> settings) => new()
    {
        Trials = trials,
        Reports = reports,
        HeldOut = run.HeldOut,
        ScenarioLimit = run.Limits.Scenarios,
        ReportMaxTokens = run.ReportMaxTokens,
        ReportMaxTokensInRun = run.Plan.Config.ReportMaxTokens,
        Reduced = run.Reduced,
        Settings = new(settings, StringComparer.Ordinal),
        Models = [.. run.Models.Select(m => new ModelScenarios(m.Name, m.Instilled, m.Native, m.OfRun.Instilled, m.OfRun.Native))],
    };

    /// <summary>The manifest in the analysis directory; an empty one when there is none yet.</summary>
    public static LabManifest Load(string analysisDirectory)
    {
        string path = Path.Combine(analysisDirectory, FileName);
        if (!File.Exists(path)) return new LabManifest();
        try { return JsonSerializer.Deserialize<LabManifest>(File.ReadAllText(path), Json) ?? new LabManifest(); }
        catch (JsonException e)
        {
            throw new DataFileException(path, (int?)(e.LineNumber + 1), e.Path, $"not a valid lab manifest: {e.Message}");
        }
    }

    /// <summary>Records how <paramref name="command"/> ran, keeping the other commands' entries.</summary>
    public static void Record(string analysisDirectory, string command, Entry entry)
    {
        var manifest = Load(analysisDirectory);
        manifest.Commands[command] = entry;
        AtomicFile.WriteAllText(Path.Combine(analysisDirectory, FileName), JsonSerializer.Serialize(manifest, Json) + "\n");
    }

    /// <summary>One sentence per command whose results are from a reduced lab, for the top of the report.</summary>
    public IEnumerable<string> ReducedNotes() => Commands.Where(c => c.Value.Reduced).Select(c => Note(c.Key, c.Value));

    public static string Note(string command, Entry e)
    {
        var cuts = new List<string>();
        if (e.Models.Any(m => m.Instilled.Count < m.InstilledInRun || m.Native.Count < m.NativeInRun))
            cuts.Add($"each model on at most {e.ScenarioLimit} of its instilled and {e.ScenarioLimit} of its native scenarios (--scenarios {e.ScenarioLimit}: " +
                     string.Join(", ", e.Models.Select(m => $"{m.Model} {m.Instilled.Count} of {m.InstilledInRun} instilled, {m.Native.Count} of {m.NativeInRun} native")) + ")");
        if (e.ReportMaxTokens < e.ReportMaxTokensInRun)
            cuts.Add($"reports cut at {e.ReportMaxTokens} tokens (--report-tokens; the run's report_max_tokens is {e.ReportMaxTokensInRun})");
        return $"Reduced lab: `{command}` measured {string.Join("; ", cuts)}; {e.Trials} trials per scenario. A check that it runs, not the full measurement.";
    }
}
