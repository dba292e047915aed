using Microsoft.Extensions.AI;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;
using AI = Microsoft.Extensions.AI;

namespace SelfInterp.Backends.ChatClient;

/// <summary>
/// Inference through any Microsoft.Extensions.AI <see cref="IChatClient"/> (OpenAI's, Azure's, Ollama's, ours), with
/// fine-tuning from a provider (default: external, any trainer). Choices at temperature 0 with one token; P(A) from
/// the client's "probability_a" property (our <see cref="BackendChatClient"/>) or from the top log-probabilities of
/// an OpenAI chat completion underneath, else unknown and the letter read from the text. Sampled self-reports at the
/// caller's temperature (<see cref="SampleAsync"/>), so every experiment runs through any client. Chat templates are
/// the client's business. Replies come back in prompt order.
/// </summary>
public sealed class ChatClientBackend(IChatClient client, IFineTuningProvider? fineTuning = null, int concurrency = 8) : IModelBackend
{
    private readonly IFineTuningProvider _fineTuning = fineTuning ?? new ExternalFineTuning();
    private readonly SemaphoreSlim _inFlight = new(concurrency, concurrency);

    public string Name => "chatclient";
    /// <summary>Any: a language model answers whatever text it is sent.</summary>
    public IReadOnlyCollection<Type>? ServedTasks => null;

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) =>
        _fineTuning.RunAsync(request, progress, ct);

    public Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct) =>
        ForEachAsync(prompts, progress, async (prompt, token) =>
        {
            var options = new ChatOptions
            {
                ModelId = model, Temperature = 0, MaxOutputTokens = 1,
                // Clients over OpenAI's SDK send these; any other client ignores them.
                RawRepresentationFactory = _ => new global::OpenAI.Chat.ChatCompletionOptions { IncludeLogProbabilities = true, TopLogProbabilityCount = 5 },
            };
            var response = await client.GetResponseAsync(ToAI(prompt), options, token);
            return new Choice(ChoiceReading.Selection(response.Text), ProbabilityA(response), response.Text);
        }, ct);

    public Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct) =>
        ForEachAsync(prompts, progress, async (prompt, token) =>
            (await client.GetResponseAsync(ToAI(prompt), new ChatOptions { ModelId = model, Temperature = 0, MaxOutputTokens = maxTokens }, token)).Text, ct);

    /// <summary>
    /// <see cref="Sampling.Samples"/> replies per prompt at the caller's temperature. The first request carries the
    /// count as the additional property "n" (a client that knows it, like <see cref="BackendChatClient"/>, answers with
    /// that many messages); from a client that answers one, the rest are asked one request each, each with its own
    /// seed (derived from the prompt and the sample's index), so a client that honours seeds draws distinct samples.
    /// </summary>
    public Task<IReadOnlyList<IReadOnlyList<string>>> SampleAsync(string model, IReadOnlyList<ChatPrompt> prompts, Sampling sampling, IProgress<int>? progress, CancellationToken ct) =>
        ForEachAsync<IReadOnlyList<string>>(prompts, progress, async (prompt, token) =>
        {
            string text = string.Concat(prompt.Messages.Select(m => m.Role + "\n" + m.Content + "\n"));
            ChatOptions Options(int k) => new()
            {
                ModelId = model, Temperature = (float)sampling.Temperature, MaxOutputTokens = sampling.MaxTokens,
                Seed = (long)(Core.Random.SeededStream.DeriveSeed((ulong)k, text) >> 1),
                AdditionalProperties = k == 0 ? new AdditionalPropertiesDictionary { [SamplesKey] = sampling.Samples } : null,
            };
            var first = await client.GetResponseAsync(ToAI(prompt), Options(0), token);
            var samples = first.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text).ToList();
            if (samples.Count == sampling.Samples) return samples;
            samples = [first.Text];
            for (int k = 1; k < sampling.Samples; k++)
                samples.Add((await client.GetResponseAsync(ToAI(prompt), Options(k), token)).Text);
            return samples;
        }, ct);

    /// <summary>The additional property of <see cref="ChatOptions"/> that asks for this many replies at once.</summary>
    public const string SamplesKey = "n";

    private static double? ProbabilityA(ChatResponse response)
    {
        if (response.AdditionalProperties?.TryGetValue(BackendChatClient.ProbabilityAKey, out var p) == true && p is double d) return d;
        if (response.RawRepresentation is global::OpenAI.Chat.ChatCompletion { ContentTokenLogProbabilities: { Count: > 0 } lp })
            return ChoiceReading.ProbabilityA(lp[0].TopLogProbabilities.Select(t => (t.Token, (double)t.LogProbability)).Append((lp[0].Token, lp[0].LogProbability)));
        return null;
    }

    private async Task<IReadOnlyList<T>> ForEachAsync<T>(IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress,
        Func<ChatPrompt, CancellationToken, Task<T>> ask, CancellationToken ct)
    {
        var results = new T[prompts.Count];
        await Task.WhenAll(prompts.Select(async (prompt, i) =>
        {
            await _inFlight.WaitAsync(ct);
            try { results[i] = await ask(prompt, ct); }
            finally { _inFlight.Release(); }
            progress?.Report(1);
        }));
        return results;
    }

    private static List<AI.ChatMessage> ToAI(ChatPrompt prompt) =>
        prompt.Messages.Select(m => new AI.ChatMessage(new ChatRole(m.Role), m.Content)).ToList();
}
