using System.Globalization;
using SelfInterp.Core.Runs;

namespace SelfInterp.Organisms;

/// <summary>
/// A run's overrides of how the local backend instils preferences (run options, so run.json records them and
/// resume and the content-hashed model ids see them): <c>instill_method</c> (embeddings, lora, full, body, mlp),
/// <c>instill_lr</c>, <c>instill_epochs</c>, and for LoRA <c>lora_rank</c> and <c>lora_alpha</c>. Absent
/// overrides leave the organism's recipe as it is.
/// </summary>
public sealed record InstillationOptions
{
    public const string Method = "instill_method", LearningRate = "instill_lr", Epochs = "instill_epochs", LoraRank = "lora_rank", LoraAlpha = "lora_alpha";

    /// <summary>The backend options the local backend reads (these and the base model's directory); any other key is refused.</summary>
    public static readonly string[] Keys = [Method, LearningRate, Epochs, LoraRank, LoraAlpha, ShippedOrganisms.DirectoryOption];

    /// <summary>LoRA's rank and alpha when the run does not set them (adapters on every projection of every layer).</summary>
    public const int DefaultLoraRank = 8;
    public const float DefaultLoraAlpha = 16;

    public string? InstillMethod { get; init; }
    public float? InstillLearningRate { get; init; }
    public int? InstillEpochs { get; init; }
    public int Rank { get; init; } = DefaultLoraRank;
    public float Alpha { get; init; } = DefaultLoraAlpha;

    /// <summary>True when the run set any of these options (the model ids then hash the settings in full).</summary>
    public bool Any { get; init; }

    public static InstillationOptions None { get; } = new();

    /// <summary>Reads the overrides from a run's backend options; a bad value names its option (exit code 2).</summary>
    public static InstillationOptions From(IReadOnlyDictionary<string, string> options)
    {
        KnownKeys.Check(options.Keys, Keys, "--option for the local backend");
        string? Get(string key) => options.TryGetValue(key, out var v) ? v : null;
        var method = Get(Method);
        if (method is not null && !OrganismRecipe.FineTuningMethods.Contains(method))
            throw new UsageException($"--option {Method}={method}: unknown method (known: {string.Join(", ", OrganismRecipe.FineTuningMethods)})");
        return new InstillationOptions
        {
            InstillMethod = method,
            InstillLearningRate = Get(LearningRate) is { } lr ? Positive(LearningRate, lr) : null,
            InstillEpochs = Get(Epochs) is { } e ? (int)Whole(Epochs, e) : null,
            Rank = Get(LoraRank) is { } r ? (int)Whole(LoraRank, r) : DefaultLoraRank,
            Alpha = Get(LoraAlpha) is { } a ? Positive(LoraAlpha, a) : DefaultLoraAlpha,
            Any = new[] { Method, LearningRate, Epochs, LoraRank, LoraAlpha }.Any(options.ContainsKey),
        };
    }

    /// <summary>The recipe with these overrides applied.</summary>
    public OrganismRecipe ApplyTo(OrganismRecipe recipe) => recipe with
    {
        Instillation = recipe.Instillation with
        {
            Method = InstillMethod ?? recipe.Instillation.Method,
            LearningRate = InstillLearningRate ?? recipe.Instillation.LearningRate,
            Epochs = InstillEpochs ?? recipe.Instillation.Epochs,
        },
    };

    private static float Positive(string key, string value) =>
        float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 && float.IsFinite(x) ? x
            : throw new UsageException($"--option {key}={value}: expected a positive number");

    private static long Whole(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && x >= 1 ? x
            : throw new UsageException($"--option {key}={value}: expected a whole number of at least 1");
}
