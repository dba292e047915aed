using System.Text.Json.Serialization;

namespace SelfInterp.Core.Runs;

/// <summary>Everything that determines a run's results. Stored in run.json; a resumed run must match it.</summary>
public sealed record RunConfig
{
    [JsonPropertyName("preset")] public string Preset { get; init; } = "quick";
    [JsonPropertyName("backend")] public string Backend { get; init; } = "local";
    /// <summary>Who fine-tunes for the openai backend: openai (its jobs API; also when absent), together, or external
    /// (any trainer: the run stops with the files to train on and resumes once `models set` registers the models).</summary>
    [JsonPropertyName("fine_tune")] public string? FineTune { get; init; }
    [JsonPropertyName("base_model")] public string BaseModel { get; init; } = "";
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
    [JsonPropertyName("catalog")] public string? Catalog { get; init; }
    [JsonPropertyName("roles")] public string? Roles { get; init; }
    [JsonPropertyName("prompts")] public string? Prompts { get; init; }
    [JsonPropertyName("seeds")] public Seeds Seeds { get; init; } = Seeds.FromMaster(1);
    /// <summary>Backend-specific settings (noise levels, learning rates, base URL): strings, never secrets.</summary>
    [JsonPropertyName("backend_options")] public SortedDictionary<string, string> BackendOptions { get; init; } = new(StringComparer.Ordinal);

    [JsonIgnore] public IEnumerable<int> InstilledScenarios => Enumerable.Range(0, Instilled);
    [JsonIgnore] public IEnumerable<int> NativeScenarios => Enumerable.Range(NativeOffset, Native);
    [JsonIgnore] public IEnumerable<int> AllScenarios => InstilledScenarios.Concat(NativeScenarios);

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
    }
}

/// <summary>
/// One seed per stage, as in the paper (role shuffle, weights, training selections, fine-tuning examples,
/// the fine-tuning job, validation selections, introspection examples) plus the ones our elicitation needs.
/// By default each is derived from one master seed; any can be set on its own.
/// </summary>
public sealed record Seeds
{
    [JsonPropertyName("master")] public ulong Master { get; init; }
    [JsonPropertyName("role_shuffle")] public ulong RoleShuffle { get; init; }
    [JsonPropertyName("weights")] public ulong Weights { get; init; }
    [JsonPropertyName("training_selections")] public ulong TrainingSelections { get; init; }
    [JsonPropertyName("finetuning_examples")] public ulong FinetuningExamples { get; init; }
    [JsonPropertyName("finetuning_job")] public ulong FinetuningJob { get; init; }
    [JsonPropertyName("validation_examples")] public ulong ValidationExamples { get; init; }
    [JsonPropertyName("validation_selections")] public ulong ValidationSelections { get; init; }
    [JsonPropertyName("introspection_examples")] public ulong IntrospectionExamples { get; init; }
    [JsonPropertyName("report_trials")] public ulong ReportTrials { get; init; }
    [JsonPropertyName("native_selections")] public ulong NativeSelections { get; init; }

    public static Seeds FromMaster(ulong master)
    {
        ulong D(string name) => Random.SeededStream.DeriveSeed(master, name);
        return new Seeds
        {
            Master = master,
            RoleShuffle = D("role_shuffle"),
            Weights = D("weights"),
            TrainingSelections = D("training_selections"),
            FinetuningExamples = D("finetuning_examples"),
            FinetuningJob = D("finetuning_job"),
            ValidationExamples = D("validation_examples"),
            ValidationSelections = D("validation_selections"),
            IntrospectionExamples = D("introspection_examples"),
            ReportTrials = D("report_trials"),
            NativeSelections = D("native_selections"),
        };
    }
}

/// <summary>Named sizes. quick: small enough for minutes on a laptop; paper: the study's sizes.</summary>
public static class Presets
{
    public static readonly string[] Names = ["quick", "paper"];

    public static RunConfig Get(string name) => name switch
    {
        "quick" => new RunConfig { Preset = "quick", Instilled = 20, Native = 20 },
        "paper" => new RunConfig { Preset = "paper", Instilled = 100, Native = 100 },
        _ => throw new UsageException($"unknown preset '{name}' (known: {string.Join(", ", Names)})"),
    };
}

/// <summary>Bad usage or bad input: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
