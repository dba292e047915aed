using System.Globalization;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// Settings of Together's fine-tuning, from the run's backend options (never the key: TOGETHER_API_KEY, read from
/// the environment only). Epochs, batch size and polling are the openai backend's own options.
/// </summary>
public sealed record TogetherOptions
{
    public const string ApiKeyVariable = "TOGETHER_API_KEY";
    /// <summary>The server of Together's published API document.</summary>
    public static readonly Uri DefaultUrl = new("https://api.together.ai/v1/");
    /// <summary>LoRA rank and alpha when not given: the document requires both with type Lora; these are the Qwen
    /// replication's values (docs/open-weight.md).</summary>
    public const int DefaultLoraRank = 64, DefaultLoraAlpha = 128;

    /// <summary>The run's base model: a job from it sends model; from any other (a fine-tune of ours), from_checkpoint.</summary>
    public string BaseModel { get; init; } = "";

    /// <summary>The fine-tuning API's base (option together_url), e.g. a test's fake server.</summary>
    public Uri Url { get; init; } = DefaultUrl;
    public double? LearningRate { get; init; }
    /// <summary>LoRA (Together's default) or full fine-tuning.</summary>
    public bool Lora { get; init; } = true;
    public int LoraRank { get; init; } = DefaultLoraRank;
    public int LoraAlpha { get; init; } = DefaultLoraAlpha;
    /// <summary>Evaluations on the validation file during training (n_evals; option n_evals, default 1).</summary>
    public int Evaluations { get; init; } = 1;
    public int? Epochs { get; init; }
    /// <summary>Introspection training's own epochs and learning rate (the replication: 5 and 1e-5); null = as instilling.</summary>
    public int? ItrainEpochs { get; init; }
    public double? ItrainLearningRate { get; init; }
    public int? BatchSize { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The backend options Together reads beside the openai ones.</summary>
    public static readonly string[] Keys = ["together_url", "learning_rate", "lora", "lora_r", "lora_alpha", "n_evals", "itrain_n_epochs", "itrain_learning_rate"];

    public static TogetherOptions From(IReadOnlyDictionary<string, string> options, OpenAIBackendOptions shared, string baseModel)
    {
        var url = DefaultUrl;
        if (options.TryGetValue("together_url", out var u))
        {
            if (!Uri.TryCreate(u.EndsWith('/') ? u : u + "/", UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
                throw new UsageException($"backend option 'together_url': '{u}' is not an absolute http(s) URL");
        }
        bool lora = true;
        if (options.TryGetValue("lora", out var l) && !bool.TryParse(l, out lora))
            throw new UsageException($"backend option 'lora': '{l}' is not true or false");
        return new TogetherOptions
        {
            Url = url,
            BaseModel = baseModel,
            LearningRate = Positive(options, "learning_rate"),
            Lora = lora,
            LoraRank = (int?)Positive(options, "lora_r", whole: true) ?? DefaultLoraRank,
            LoraAlpha = (int?)Positive(options, "lora_alpha", whole: true) ?? DefaultLoraAlpha,
            Evaluations = (int?)Positive(options, "n_evals", whole: true) ?? 1,
            Epochs = shared.Epochs,
            ItrainEpochs = (int?)Positive(options, "itrain_n_epochs", whole: true),
            ItrainLearningRate = Positive(options, "itrain_learning_rate"),
            BatchSize = shared.BatchSize,
            PollInterval = shared.PollInterval,
        };
    }

    private static double? Positive(IReadOnlyDictionary<string, string> options, string key, bool whole = false)
    {
        if (!options.TryGetValue(key, out var s)) return null;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0 && (!whole || v == Math.Floor(v)))
            return v;
        throw new UsageException($"backend option '{key}': '{s}' is not a positive {(whole ? "whole number" : "number")}");
    }

    /// <summary>The key from the environment, or a clear error saying where to put it.</summary>
    public static string ApiKey(Func<string, string?> environment)
    {
        var key = environment(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
            throw new UsageException($"--fine-tune together needs an API key in the environment variable {ApiKeyVariable} (it is never read from options or files)");
        return key.Trim();
    }
}
