using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;
using OurMessage = SelfInterp.Core.Backends.ChatMessage;
using SdkMessage = OpenAI.Chat.ChatMessage;

namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// A model behind an OpenAI-compatible service (OpenAI itself, Azure OpenAI, vLLM, or our own `selfinterp serve`):
/// fine-tuning jobs through the files and fine-tuning APIs, choices and reports through chat completions at
/// temperature 0, sampled self-reports with their temperature and <c>n</c>. Replies come back in prompt order whatever
/// order the requests finish in.
/// </summary>
public sealed class OpenAIBackend : IModelBackend
{
    private readonly OpenAIClient _client;
    private readonly OpenAIBackendOptions _options;
    private readonly ResilientCaller _caller;
    private readonly UsageMeter _usage;
    private readonly IFineTuningProvider _fineTuning;
    private readonly LogprobDialect _dialect;

    public string Name => "openai";
    /// <summary>Any: a language model answers whatever text it is sent.</summary>
    public IReadOnlyCollection<Type>? ServedTasks => null;
    public UsageMeter Usage => _usage;
    public IFineTuningProvider FineTuning => _fineTuning;

    /// <param name="apiKey">Held by the SDK's credential only; never stored in a field of ours, logged or saved.</param>
    /// <param name="usageSink">Receives usage counts after each batch and job (the CLI adds them to run.json).</param>
    /// <param name="jitterSeed">Seeds the retry jitter.</param>
    /// <param name="fineTuning">Makes the fine-tuning provider from the backend's caller and meter; null: OpenAI's jobs API at the same endpoint.</param>
    /// <param name="togetherInference">The endpoint is Together's inference: requests and answers in Together's shape.</param>
    public OpenAIBackend(OpenAIBackendOptions options, string apiKey, Action<IReadOnlyDictionary<string, double>>? usageSink, ulong jitterSeed,
        Func<ResilientCaller, UsageMeter, IFineTuningProvider>? fineTuning = null, HttpMessageHandler? handler = null, bool togetherInference = false)
    {
        _options = options;
        _dialect = new LogprobDialect(togetherInference || options.Endpoint is { } e && LogprobDialect.IsTogetherHost(e), options.Endpoint);
        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // ResilientCaller is the one retry policy
            NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(5),
        };
        if (options.Endpoint is not null) clientOptions.Endpoint = options.Endpoint;
        if (handler is not null) clientOptions.Transport = new HttpClientPipelineTransport(new HttpClient(handler, disposeHandler: false));
        _client = new OpenAIClient(new ApiKeyCredential(apiKey), clientOptions);
        _usage = new UsageMeter(usageSink);
        _caller = new ResilientCaller(options, _usage, jitterSeed);
#pragma warning disable OPENAI001
        _fineTuning = fineTuning?.Invoke(_caller, _usage)
            ?? new FineTuningJobs(_client.GetOpenAIFileClient(), _client.GetFineTuningClient(), _caller, options, _usage);
#pragma warning restore OPENAI001
    }

    /// <summary>The backend a run's config asks for: settings from its options, keys from the environment, the
    /// fine-tuning provider its fine_tune names. <paramref name="handler"/> replaces the network under every client (tests).</summary>
    public static OpenAIBackend FromEnvironment(RunConfig config, Func<string, string?> environment, Action<IReadOnlyDictionary<string, double>>? usageSink,
        HttpMessageHandler? handler = null)
    {
        var provider = config.FineTune ?? FineTuneProviders.OpenAI;
        var options = OpenAIBackendOptions.From(config.BackendOptions, environment);
        var together = provider == FineTuneProviders.Together ? TogetherOptions.From(config.BackendOptions, options, config.BaseModel) : null;
        // Together serves what it trains behind its OpenAI-compatible inference: the default endpoint when it fine-tunes,
        // read as if given as base_url, so its defaults (pacing, polls) are the endpoint's (none on a loopback fake).
        if (together is not null && options.Endpoint is null)
        {
            options = OpenAIBackendOptions.From(new SortedDictionary<string, string>(config.BackendOptions, StringComparer.Ordinal)
                { ["base_url"] = together.Url.ToString().TrimEnd('/') }, environment);
            together = TogetherOptions.From(config.BackendOptions, options, config.BaseModel);
        }
        Func<ResilientCaller, UsageMeter, IFineTuningProvider>? fineTuning = provider switch
        {
            FineTuneProviders.OpenAI => null,
            FineTuneProviders.Together => (caller, usage) => new TogetherFineTuning(together!, TogetherOptions.ApiKey(environment), caller, usage, handler),
            FineTuneProviders.External => (_, _) => new ExternalFineTuning(),
            _ => throw new UsageException($"unknown fine-tuning provider '{provider}' (known: {string.Join(", ", FineTuneProviders.Names)})"),
        };
        if (provider == FineTuneProviders.Together) TogetherOptions.ApiKey(environment); // a missing key fails before anything runs
        // The same server that trains also answers (Together's URL, or a test's fake of it): Together's shapes.
        bool togetherInference = together is not null && options.Endpoint!.ToString().TrimEnd('/') == together.Url.ToString().TrimEnd('/');
        return new OpenAIBackend(options, OpenAIBackendOptions.InferenceKey(options, environment, togetherInference), usageSink,
            Core.Random.SeededStream.DeriveSeed(config.Seeds.Master, "openai_retry_jitter"), fineTuning, handler, togetherInference);
    }

    /// <summary>The run asks its models at Together's inference, in Together's shapes.</summary>
    public bool AsksTogether => _dialect.Together;

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) =>
        _fineTuning.RunAsync(request, progress, ct);

    public async Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct)
    {
        var options = new ChatCompletionOptions { Temperature = 0 };
        _dialect.MaxTokens(options, 1);
        if (_options.TopLogprobs > 0) _dialect.AskLogprobs(options, _options.TopLogprobs);
        var choices = await ForEachAsync(model, prompts, options, progress, (completion, raw) =>
        {
            var reply = completion.Content.Count > 0 ? completion.Content[0].Text : "";
            var alternatives = _options.TopLogprobs > 0 ? _dialect.FirstTokenAlternatives(raw, model) : [];
            return new Choice(ChoiceReading.Selection(reply), ChoiceReading.ProbabilityA(alternatives), reply);
        }, ct);
        if (_options.TopLogprobs > 0) _dialect.CheckProbabilities(model, choices);
        return choices;
    }

    public async Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct)
    {
        var options = new ChatCompletionOptions { Temperature = 0 };
        _dialect.MaxTokens(options, maxTokens);
        return await ForEachAsync(model, prompts, options, progress,
            (completion, _) => string.Concat(completion.Content.Select(p => p.Text)), ct);
    }

    /// <summary>The most samples one chat completion may ask for: OpenAI's API reference caps <c>n</c> at 128, as `serve` does.</summary>
    public const int MaxSamplesPerRequest = 128;

    /// <summary>
    /// One request per prompt asking for all its samples at once (<c>n</c>), so the prompt is paid for once; more
    /// than <see cref="MaxSamplesPerRequest"/> samples are asked in passes of at most that many (200: 128, then 72),
    /// so a large <c>--samples</c> is never refused by the service after earlier stages have run.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<string>>> SampleAsync(string model, IReadOnlyList<ChatPrompt> prompts, Sampling sampling, IProgress<int>? progress, CancellationToken ct)
    {
        var all = prompts.Select(_ => new List<string>(sampling.Samples)).ToList();
        for (int done = 0; done < sampling.Samples; done += MaxSamplesPerRequest)
        {
            int n = Math.Min(MaxSamplesPerRequest, sampling.Samples - done);
            bool last = done + n == sampling.Samples;
            var part = await SamplePassAsync(model, prompts, sampling, n, last ? progress : null, ct);
            for (int i = 0; i < prompts.Count; i++) all[i].AddRange(part[i]);
        }
        return all;
    }

    private async Task<IReadOnlyList<IReadOnlyList<string>>> SamplePassAsync(string model, IReadOnlyList<ChatPrompt> prompts, Sampling sampling, int n, IProgress<int>? progress, CancellationToken ct)
    {
        var options = new ChatCompletionOptions { Temperature = (float)sampling.Temperature };
        _dialect.MaxTokens(options, sampling.MaxTokens);
#pragma warning disable SCME0001 // JsonPatch: the SDK's typed options have no n
        options.Patch.Set("$.n"u8, n);
#pragma warning restore SCME0001
        return await ForEachAsync(model, prompts, options, progress, (_, raw) =>
        {
            var samples = AllChoices(raw);
            return samples.Count == n ? samples
                : throw new InvalidOperationException($"chat completion for model '{model}': asked for {n} samples (n), got {samples.Count}");
        }, ct);
    }

    /// <summary>Every choice's text in index order, read from the raw JSON: the SDK's typed completion holds only the first.</summary>
    private static IReadOnlyList<string> AllChoices(BinaryData raw)
    {
        using var doc = JsonDocument.Parse(raw.ToMemory());
        if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return [];
        return choices.EnumerateArray()
            .OrderBy(c => c.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0)
            .Select(c => c.TryGetProperty("message", out var m) && m.TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "")
            .ToList();
    }

    /// <summary>
    /// One chat completion per prompt, all started at once and held to the limits by the caller. The first request
    /// that fails for good cancels the rest (a rejected key should cost one request, not a batch) and is the error.
    /// </summary>
    /// <summary>A failure that no retry will mend cancels the batch while its request still holds its place in
    /// flight, so no waiting request can take the place and be sent after it.</summary>
    private static async Task<TResult> AbandonOnHardFailure<TResult>(Task<TResult> request, CancellationTokenSource abandon)
    {
        try
        {
            return await request;
        }
        catch (Exception e) when (e is not OperationCanceledException && !ResilientCaller.IsTransient(e))
        {
            abandon.Cancel();
            throw;
        }
    }

    private async Task<IReadOnlyList<T>> ForEachAsync<T>(string model, IReadOnlyList<ChatPrompt> prompts, ChatCompletionOptions options,
        IProgress<int>? progress, Func<ChatCompletion, BinaryData, T> read, CancellationToken ct)
    {
        var chat = _client.GetChatClient(model);
        var results = new T[prompts.Count];
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = prompts.Select(async (prompt, i) =>
        {
            try
            {
                var result = await _caller.CallAsync($"chat completion for model '{model}'",
                    token => AbandonOnHardFailure(chat.CompleteChatAsync(prompt.Messages.Select(ToSdk), options, token), abandon), abandon.Token);
                Count(result.Value);
                results[i] = read(result.Value, result.GetRawResponse().Content);
                progress?.Report(1);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                abandon.Cancel();
                throw;
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // WhenAll reports the first task's exception in prompt order: a cancelled sibling, not the cause.
            var cause = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).First(e => e is not OperationCanceledException);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
        finally
        {
            _usage.Flush();
        }
        return results;
    }

    private void Count(ChatCompletion completion)
    {
        if (completion.Usage is not { } u) return;
        _usage.Add(UsageMeter.PromptTokens, u.InputTokenCount);
        _usage.Add(UsageMeter.CompletionTokens, u.OutputTokenCount);
        double cost = u.InputTokenCount * (_options.InputPricePerMillion ?? 0) / 1e6 + u.OutputTokenCount * (_options.OutputPricePerMillion ?? 0) / 1e6;
        _usage.Add(UsageMeter.CostUsd, cost);
    }

    private static SdkMessage ToSdk(OurMessage m) => m.Role switch
    {
        "system" => new SystemChatMessage(m.Content),
        "user" => new UserChatMessage(m.Content),
        "assistant" => new AssistantChatMessage(m.Content),
        _ => throw new UsageException($"openai backend: a prompt has a message with role '{m.Role}' (expected system, user or assistant)"),
    };
}
