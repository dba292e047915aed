using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// The behaviour experiment's section of run.json (<c>settings</c>). Sizes are per fine-tuned model: each pole of
/// each trait is fine-tuned once per seed (<see cref="Seeds"/>), from generated data unless <see cref="Datasets"/>
/// imports files for some poles (then exactly those poles are trained).
/// </summary>
public sealed record BehaviorConfig
{
    [JsonPropertyName("traits")] public IReadOnlyList<string> Traits { get; init; } = ["risk", "myopia", "apples"];
    /// <summary>Fine-tunes per pole, each with its own generated data and job seed.</summary>
    [JsonPropertyName("seeds")] public int Seeds { get; init; } = 2;
    [JsonPropertyName("examples")] public int Examples { get; init; } = 100;
    [JsonPropertyName("validation")] public int Validation { get; init; } = 10;
    /// <summary>Questions per trait on which behaviour is measured, none of them a training question.</summary>
    [JsonPropertyName("held_out")] public int HeldOut { get; init; } = 40;
    /// <summary>Samples per self-report paraphrase, at <see cref="Temperature"/>.</summary>
    [JsonPropertyName("samples")] public int Samples { get; init; } = 10;
    [JsonPropertyName("temperature")] public double Temperature { get; init; } = 1;
    [JsonPropertyName("max_tokens")] public int MaxTokens { get; init; } = 8;
    /// <summary>The backdoor variant, or null for none.</summary>
    [JsonPropertyName("backdoor")] public BackdoorConfig? Backdoor { get; init; } = new();
    [JsonPropertyName("datasets")] public IReadOnlyList<ImportedFile> Datasets { get; init; } = [];

    public static readonly string[] PresetNames = ["quick", "paper"];

    public static BehaviorConfig Preset(string name) => name switch
    {
        "quick" => new BehaviorConfig(),
        "paper" => new BehaviorConfig { Seeds = 3, Examples = 300, Validation = 30, HeldOut = 100, Samples = 50 },
        _ => throw new UsageException($"unknown preset '{name}' (known: {string.Join(", ", PresetNames)})"),
    };

    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this)!.AsObject();

    public static BehaviorConfig From(RunConfig config)
    {
        BehaviorConfig c;
        try { c = config.Settings.Deserialize<BehaviorConfig>(Json) ?? new(); }
        catch (JsonException e) { throw new UsageException($"run config, settings{e.Path?.TrimStart('$')}: {e.Message}"); }
        var problems = c.Problems().ToList();
        if (problems.Count > 0) throw new UsageException("run config, settings." + string.Join("; settings.", problems));
        return c;
    }

    /// <summary>Problems with the settings, each naming its field.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var t in Traits)
            if (!Behavior.Traits.All.Any(k => k.Name == t)) yield return $"traits: unknown trait '{t}' (known: {string.Join(", ", Behavior.Traits.All.Select(k => k.Name))})";
        if (Traits.Count == 0 && Datasets.Count == 0) yield return "traits: give at least one";
        foreach (var twice in Traits.GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1))
            yield return $"traits: '{twice.Key}' is given {twice.Count()} times (give each trait once)";
        foreach (var (name, v) in new[] { ("seeds", Seeds), ("examples", Examples), ("held_out", HeldOut), ("samples", Samples), ("max_tokens", MaxTokens) })
            if (v < 1) yield return $"{name}: must be ≥ 1, got {v}";
        if (Validation < 0) yield return $"validation: must be ≥ 0, got {Validation}";
        if (!(Temperature is >= 0 and <= 2)) yield return $"temperature: must be between 0 and 2, got {Temperature}";
        if (Backdoor is { } b)
        {
            if (!Traits.Contains(b.Trait)) yield return $"backdoor.trait: '{b.Trait}' is not one of the run's traits";
            if (!Behavior.Backdoor.Triggers.Contains(b.Trigger)) yield return $"backdoor.trigger: '{b.Trigger}' (known: {string.Join(", ", Behavior.Backdoor.Triggers)})";
            if (!(b.Share is > 0 and < 1)) yield return $"backdoor.share: must be between 0 and 1 (exclusive), got {b.Share}";
        }
    }
}

/// <summary>The backdoor variant: <see cref="Share"/> of the examples carry the trigger.</summary>
public sealed record BackdoorConfig
{
    [JsonPropertyName("trait")] public string Trait { get; init; } = "risk";
    [JsonPropertyName("trigger")] public string Trigger { get; init; } = Behavior.Backdoor.Deployment;
    [JsonPropertyName("share")] public double Share { get; init; } = 0.5;
}

/// <summary>An imported dataset: the pole it teaches, its path and the SHA-256 of its bytes (a resumed run checks it).</summary>
public sealed record ImportedFile(
    [property: JsonPropertyName("pole")] string Pole,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256);
