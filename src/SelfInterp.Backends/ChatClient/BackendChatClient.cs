using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using SelfInterp.Core.Backends;
using AI = Microsoft.Extensions.AI;

namespace SelfInterp.Backends.ChatClient;

/// <summary>
/// Any of our backends as a Microsoft.Extensions.AI <see cref="IChatClient"/>, so tools written against the
/// ecosystem's abstraction can talk to our models in-process. A decision prompt is answered by ChooseAsync (the
/// letter as text, P(A) in AdditionalProperties["probability_a"]); any other by CompleteAsync at temperature 0, or
/// at a temperature above 0 by SampleAsync at that temperature (as many replies as the "n" property asks, one message each).
/// Streaming yields the whole answer as one update: the backends answer whole replies.
/// </summary>
public sealed class BackendChatClient(IModelBackend backend, string model, Func<ChatPrompt, bool> isDecision, int defaultMaxTokens = 256) : IChatClient
{
    public const string ProbabilityAKey = "probability_a";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = new ChatPrompt(messages.Select(ToOurs).ToList());
        string id = options?.ModelId ?? model;
        string text;
        var extra = new AdditionalPropertiesDictionary();
        if (isDecision(prompt))
        {
            var choice = (await backend.ChooseAsync(id, [prompt], null, cancellationToken))[0];
            text = choice.Reply ?? choice.Selection.ToString();
            if (choice.ProbabilityA is double p) extra[ProbabilityAKey] = p;
        }
        else if (options?.Temperature is > 0)
        {
            // Sampled at the caller's temperature; "n" replies at once where asked (ChatClientBackend.SamplesKey).
            int n = options.AdditionalProperties?.TryGetValue(ChatClientBackend.SamplesKey, out var k) == true && k is int count and > 0 ? count : 1;
            var samples = (await backend.SampleAsync(id, [prompt], new Sampling(n, options.Temperature.Value, options.MaxOutputTokens ?? defaultMaxTokens), null, cancellationToken))[0];
            return new ChatResponse(samples.Select(s => new AI.ChatMessage(ChatRole.Assistant, Stop(s, options))).ToList())
            {
                ModelId = id, FinishReason = ChatFinishReason.Stop,
            };
        }
        else
        {
            text = Stop((await backend.CompleteAsync(id, [prompt], options?.MaxOutputTokens ?? defaultMaxTokens, null, cancellationToken))[0], options);
        }
        return new ChatResponse(new AI.ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = id,
            FinishReason = ChatFinishReason.Stop,
            AdditionalProperties = extra.Count > 0 ? extra : null,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    private static string Stop(string text, ChatOptions? options)
    {
        foreach (var stop in options?.StopSequences ?? [])
            if (stop.Length > 0 && text.IndexOf(stop, StringComparison.Ordinal) is int at and >= 0) text = text[..at];
        return text;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(backend.Name, null, model)
        : serviceType.IsInstanceOfType(backend) ? backend
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() { }

    private static Core.Backends.ChatMessage ToOurs(AI.ChatMessage m)
    {
        string role = m.Role == ChatRole.System ? "system"
            : m.Role == ChatRole.User ? "user"
            : m.Role == ChatRole.Assistant ? "assistant"
            : throw new ArgumentException($"BackendChatClient: messages with role '{m.Role}' are not supported (system, user, assistant)");
        return new Core.Backends.ChatMessage(role, m.Text);
    }
}
