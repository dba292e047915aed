using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SelfInterp.Core.Runs;

/// <summary>
/// Everything that determines a run's results. Stored in run.json; a resumed run must match it. The runner's
/// part is typed here; the experiment's own part is its <see cref="Settings"/> section, which only the
/// experiment reads.
/// </summary>
public sealed record RunConfig
{
    [JsonPropertyName("experiment")] public string Experiment { get; init; } = "preferences";
    [JsonPropertyName("preset")] public string Preset { get; init; } = "quick";
    [JsonPropertyName("backend")] public string Backend { get; init; } = "local";
    /// <summary>Who fine-tunes for the openai backend: openai (its jobs API; also when absent), together, or external
    /// (any trainer: the run stops with the files to train on and resumes once `models set` registers the models).</summary>
    [JsonPropertyName("fine_tune")] public string? FineTune { get; init; }
    [JsonPropertyName("base_model")] public string BaseModel { get; init; } = "";
    [JsonPropertyName("catalog")] public string? Catalog { get; init; }
    [JsonPropertyName("roles")] public string? Roles { get; init; }
    /// <summary>The experiment's prompt wording file, read by its task codec; null for the experiment's own.</summary>
    [JsonPropertyName("prompts")] public string? Prompts { get; init; }
    [JsonPropertyName("seeds")] public Seeds Seeds { get; init; } = Seeds.FromMaster(1);
    /// <summary>Backend-specific settings (noise levels, learning rates, base URL): strings, never secrets.</summary>
    [JsonPropertyName("backend_options")] public SortedDictionary<string, string> BackendOptions { get; init; } = new(StringComparer.Ordinal);
    /// <summary>The experiment's config section (sizes, its own options), as the experiment wrote it.</summary>
    [JsonPropertyName("settings")] public JsonObject Settings { get; init; } = new();
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

/// <summary>Bad usage or bad input: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
