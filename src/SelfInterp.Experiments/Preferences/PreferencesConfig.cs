using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Preferences;

/// <summary>The preferences experiment's section of run.json (<c>settings</c>): the protocol's sizes.</summary>
public sealed record PreferencesConfig
{
    /// <summary>Scenarios 0 .. instilled-1 of the catalog receive instilled preferences.</summary>
    [JsonPropertyName("instilled")] public int Instilled { get; init; } = 20;
    /// <summary>Native preferences are measured on scenarios native_offset .. native_offset+native-1.</summary>
    [JsonPropertyName("native")] public int Native { get; init; } = 20;
    [JsonPropertyName("native_offset")] public int NativeOffset { get; init; } = 100;
    [JsonPropertyName("examples")] public int Examples { get; init; } = 50;
    [JsonPropertyName("validation")] public int Validation { get; init; } = 10;
    [JsonPropertyName("reports")] public int Reports { get; init; } = 10;
    [JsonPropertyName("selections")] public int Selections { get; init; } = 50;
    [JsonPropertyName("native_selections")] public int NativeSelections { get; init; } = 100;
    [JsonPropertyName("report_max_tokens")] public int ReportMaxTokens { get; init; } = 120;
    /// <summary>Sham introspection training (<see cref="ShamTargets"/>): null (absent from run.json, so runs made
    /// before it keep their config) for the real targets, "permuted" or "seed:N".</summary>
    [JsonPropertyName("itrain_targets"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ItrainTargets { get; init; }

    [JsonIgnore] public IEnumerable<int> InstilledScenarios => Enumerable.Range(0, Instilled);
    [JsonIgnore] public IEnumerable<int> NativeScenarios => Enumerable.Range(NativeOffset, Native);
    [JsonIgnore] public IEnumerable<int> AllScenarios => InstilledScenarios.Concat(NativeScenarios);

    public static readonly string[] PresetNames = ["quick", "paper"];

    /// <summary>Named sizes. quick: small enough for minutes on a laptop; paper: the study's sizes.</summary>
    public static PreferencesConfig Preset(string name) => name switch
    {
        "quick" => new PreferencesConfig { Instilled = 20, Native = 20 },
        "paper" => new PreferencesConfig { Instilled = 100, Native = 100 },
        _ => throw new UsageException($"unknown preset '{name}' (known: {string.Join(", ", PresetNames)})"),
    };

    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this)!.AsObject();

    /// <summary>The section of <paramref name="config"/>; an unknown or mistyped field is a usage error naming it.</summary>
    public static PreferencesConfig From(RunConfig config)
    {
        try { return config.Settings.Deserialize<PreferencesConfig>(Json) ?? new(); }
        catch (JsonException e) { throw new UsageException($"run config, settings{e.Path?.TrimStart('$')}: {e.Message}"); }
    }

    /// <summary>Problems with the sizes, each naming its field.</summary>
    public IEnumerable<string> Problems(int catalogSize)
    {
        if (Instilled < 2 || Instilled % 2 != 0) yield return $"instilled: must be an even number ≥ 2 (it is split in halves), got {Instilled}";
        if (Native < 1) yield return $"native: must be ≥ 1, got {Native}";
        if (NativeOffset < Instilled) yield return $"native_offset: must be ≥ instilled ({Instilled}) so native scenarios are never instilled, got {NativeOffset}";
        if (NativeOffset + Native > catalogSize) yield return $"native: scenarios up to {NativeOffset + Native - 1} are needed but the catalog has {catalogSize}";
        foreach (var (name, v) in new[] { ("examples", Examples), ("reports", Reports), ("selections", Selections), ("native_selections", NativeSelections) })
            if (v < 1) yield return $"{name}: must be ≥ 1, got {v}";
        if (Validation < 0) yield return $"validation: must be ≥ 0, got {Validation}";
        if (ShamTargets.Problem(ItrainTargets) is { } sham) yield return $"itrain_targets: {sham}";
    }
}
