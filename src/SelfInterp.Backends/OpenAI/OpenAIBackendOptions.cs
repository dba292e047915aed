using System.Globalization;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// The openai backend's settings, read from the run's backend options (strings in run.json; never the key).
/// Endpoint: option base_url, else env OPENAI_BASE_URL, else OpenAI's own. The key comes from env OPENAI_API_KEY
/// only and is kept outside this record, so printing or saving the settings can never leak it.
/// </summary>
public sealed record OpenAIBackendOptions
{
    public const string ApiKeyVariable = "OPENAI_API_KEY";
    public const string BaseUrlVariable = "OPENAI_BASE_URL";

    public Uri? Endpoint { get; init; }
    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 8;
    /// <summary>Requests started per minute; 0 = no limit. Default: 500 for a remote service, none on loopback.</summary>
    public double RequestsPerMinute { get; init; } = 500;
    /// <summary>Retries after a 429, a 5xx, a timeout or a dropped connection.</summary>
    public int MaxRetries { get; init; } = 8;
    /// <summary>First retry delay; it doubles each time (with jitter), capped by <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>One attempt's limit; past it the attempt counts as a timeout and is retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Between two looks at a running job. Default: 15 s for a remote service, 1 s on loopback.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>How many alternatives to ask for beside the chosen token (OpenAI allows up to 20).</summary>
    public int TopLogprobs { get; init; } = 5;
    /// <summary>Fine-tuning hyperparameters; null = the service's "auto".</summary>
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRateMultiplier { get; init; }
    /// <summary>Prices in US dollars per million tokens, for the cost counter in run.json; null = not counted.</summary>
    public double? InputPricePerMillion { get; init; }
    public double? OutputPricePerMillion { get; init; }
    public double? TrainingPricePerMillion { get; init; }

    public static readonly string[] Keys =
    [
        "base_url", "concurrency", "requests_per_minute", "max_retries", "retry_delay_ms", "max_retry_delay_ms",
        "timeout_seconds", "poll_seconds", "top_logprobs", "n_epochs", "batch_size", "learning_rate_multiplier",
        "input_price_per_million", "output_price_per_million", "training_price_per_million",
        .. FineTuning.TogetherOptions.Keys,
    ];

    /// <summary>Reads the options, naming the key of any bad value; <paramref name="environment"/> looks up variables.</summary>
    public static OpenAIBackendOptions From(IReadOnlyDictionary<string, string> options, Func<string, string?> environment)
    {
        KnownKeys.Check(options.Keys, Keys, "--option for the openai backend");
        var d = new OpenAIBackendOptions();
        double? Num(string key, double min)
        {
            if (!options.TryGetValue(key, out var s)) return null;
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= min) return v;
            throw new UsageException($"backend option '{key}': '{s}' is not a number ≥ {min.ToString(CultureInfo.InvariantCulture)}");
        }
        int? Int(string key, int min)
        {
            var v = Num(key, min);
            if (v is null) return null;
            if (v != Math.Floor(v.Value) || v > int.MaxValue) throw new UsageException($"backend option '{key}': '{options[key]}' is not a whole number");
            return (int)v.Value;
        }
        TimeSpan? Ms(string key) => Num(key, 0) is double v ? TimeSpan.FromMilliseconds(v) : null;
        TimeSpan? Seconds(string key, double min) => Num(key, min) is double v ? TimeSpan.FromSeconds(v) : null;

        var url = options.TryGetValue("base_url", out var u) ? u : environment(BaseUrlVariable);
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(url))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out endpoint) || (endpoint.Scheme != "http" && endpoint.Scheme != "https"))
                throw new UsageException($"base url '{url}' is not an absolute http(s) URL (e.g. http://127.0.0.1:8000/v1)");
        }
        // The pacing and slow polls are there for a remote service's limits and prices; `selfinterp serve` on this
        // machine has neither, so by default it gets requests as fast as the concurrency allows.
        if (endpoint is { IsLoopback: true }) d = d with { RequestsPerMinute = 0, PollInterval = TimeSpan.FromSeconds(1) };
        return d with
        {
            Endpoint = endpoint,
            Concurrency = Int("concurrency", 1) ?? d.Concurrency,
            RequestsPerMinute = Num("requests_per_minute", 0) ?? d.RequestsPerMinute,
            MaxRetries = Int("max_retries", 0) ?? d.MaxRetries,
            RetryDelay = Ms("retry_delay_ms") ?? d.RetryDelay,
            MaxRetryDelay = Ms("max_retry_delay_ms") ?? d.MaxRetryDelay,
            RequestTimeout = Seconds("timeout_seconds", 0.001) ?? d.RequestTimeout,
            PollInterval = Seconds("poll_seconds", 0) ?? d.PollInterval,
            TopLogprobs = Int("top_logprobs", 0) ?? d.TopLogprobs,
            Epochs = Int("n_epochs", 1),
            BatchSize = Int("batch_size", 1),
            LearningRateMultiplier = Num("learning_rate_multiplier", 0),
            InputPricePerMillion = Num("input_price_per_million", 0),
            OutputPricePerMillion = Num("output_price_per_million", 0),
            TrainingPricePerMillion = Num("training_price_per_million", 0),
        };
    }

    /// <summary>
    /// The key for chat completions: Together's for Together's endpoint; else OPENAI_API_KEY; else, for a server of
    /// one's own (vLLM, SGLang, Ollama, `selfinterp serve` without --api-key), a placeholder such servers ignore.
    /// Only OpenAI's own endpoint requires OPENAI_API_KEY.
    /// </summary>
    public static string InferenceKey(OpenAIBackendOptions options, Func<string, string?> environment, bool together = false)
    {
        if (together || options.Endpoint is { } e && LogprobDialect.IsTogetherHost(e))
            return FineTuning.TogetherOptions.ApiKey(environment);
        if (!string.IsNullOrWhiteSpace(environment(ApiKeyVariable)) || options.Endpoint is null || options.Endpoint.Host.EndsWith("openai.com", StringComparison.OrdinalIgnoreCase))
            return ApiKey(environment);
        return "no-key";
    }

    /// <summary>The key from the environment, or a clear error saying where to put it.</summary>
    public static string ApiKey(Func<string, string?> environment)
    {
        var key = environment(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
            throw new UsageException($"the openai backend needs an API key in the environment variable {ApiKeyVariable} (it is never read from options or files)");
        return key.Trim();
    }
}
