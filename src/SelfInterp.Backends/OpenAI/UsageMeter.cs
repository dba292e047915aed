namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// Counts requests, retries, tokens and (when prices are given) dollars, and hands the counts gathered since the
/// last flush to a sink: the CLI adds them to run.json's usage. Thread-safe; never holds anything secret.
/// </summary>
public sealed class UsageMeter(Action<IReadOnlyDictionary<string, double>>? sink)
{
    public const string Requests = "openai.requests";
    public const string Retries = "openai.retries";
    public const string PromptTokens = "openai.prompt_tokens";
    public const string CompletionTokens = "openai.completion_tokens";
    public const string TrainedTokens = "openai.trained_tokens";
    public const string FineTuningJobs = "openai.fine_tuning_jobs";
    public const string FilesUploaded = "openai.files_uploaded";
    public const string CostUsd = "openai.cost_usd";

    private readonly object _gate = new();
    private readonly SortedDictionary<string, double> _pending = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, double> _total = new(StringComparer.Ordinal);

    public void Add(string counter, double amount)
    {
        if (amount == 0) return;
        lock (_gate)
        {
            _pending[counter] = _pending.GetValueOrDefault(counter) + amount;
            _total[counter] = _total.GetValueOrDefault(counter) + amount;
        }
    }

    /// <summary>Everything counted by this process so far.</summary>
    public IReadOnlyDictionary<string, double> Totals
    {
        get { lock (_gate) return new SortedDictionary<string, double>(_total, StringComparer.Ordinal); }
    }

    /// <summary>Passes the counts since the last flush to the sink (called after each batch and each job).</summary>
    public void Flush()
    {
        SortedDictionary<string, double> delta;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            delta = new SortedDictionary<string, double>(_pending, StringComparer.Ordinal);
            _pending.Clear();
        }
        sink?.Invoke(delta);
    }
}
