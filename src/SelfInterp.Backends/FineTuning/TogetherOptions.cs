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
    public static readonly Uri DefaultUrl = new("https://api.together.xyz/v1/");

    /// <summary>The fine-tuning API's base (option together_url), e.g. a test's fake server.</summary>
    public Uri Url { get; init; } = DefaultUrl;
    public double? LearningRate { get; init; }
    /// <summary>LoRA (Together's default) or full fine-tuning.</summary>
    public bool Lora { get; init; } = true;
    public int? LoraRank { get; init; }
    public int? LoraAlpha { get; init; }
    public int? Epochs { get; init; }
    /// <summary>Introspection training's own epochs and learning rate (the replication: 5 and 1e-5); null = as instilling.</summary>
    public int? ItrainEpochs { get; init; }
    public double? ItrainLearningRate { get; init; }
    public int? BatchSize { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The backend options Together reads beside the openai ones.</summary>
    public static readonly string[] Keys = ["together_url", "learning_rate", "lora", "lora_r", "lora_alpha", "itrain_n_epochs", "itrain_learning_rate"];

    public static TogetherOptions From(IReadOnlyDictionary<string, string> options, OpenAIBackendOptions shared)
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
            LearningRate = Positive(options, "learning_rate"),
            Lora = lora,
            LoraRank = (int?)Positive(options, "lora_r", whole: true),
            LoraAlpha = (int?)Positive(options, "lora_alpha", whole: true),
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
