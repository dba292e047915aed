using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SelfInterp.Core.Backends;

namespace SelfInterp.Server;

/// <summary>
/// POST /v1/chat/completions. A decision prompt (one of ours, as the prompt classifier says) is answered by the
/// backend's ChooseAsync: the letter as content and, when asked for, log probabilities of "A" and "B" from its
/// P(A). Any other prompt gets the backend's CompleteAsync text at temperature 0, or at a temperature above 0 its
/// SampleAsync samples (<c>n</c> of them, one choice each), cut at the first stop sequence. Decisions and temperature-0
/// replies are answered once and repeated <c>n</c> times.
/// </summary>
public static class ChatEndpoints
{
    /// <summary>Log probability for a probability of zero: OpenAI's own floor, as JSON has no -infinity.</summary>
    public const double LogprobFloor = -9999.0;
    public const int DefaultMaxTokens = 256;

    public static void Map(WebApplication app, ServerStore store, BackendDispatcher dispatcher, Func<ChatPrompt, bool> isDecision, TimeProvider time)
    {
        long served = 0;
        app.MapPost("/v1/chat/completions", async (HttpRequest http, CancellationToken ct) =>
        {
            using var body = await RequestFields.ReadBodyAsync(http, ct);
            var request = ChatCompletionRequest.Parse(body.RootElement);
            if (!store.HasModel(request.Model))
                throw ApiError.NotFound($"The model '{request.Model}' does not exist; this server's base model is '{store.BaseModel}' " +
                    "(`selfinterp serve --base-model NAME|DIR` serves another), see GET /v1/models for the rest", "model", "model_not_found");

            IReadOnlyList<string> contents;
            JsonNode? logprobs = null;
            int maxTokens = request.MaxTokens ?? DefaultMaxTokens;
            if (isDecision(request.Prompt))
            {
                var choice = await dispatcher.ChooseAsync(request.Model, request.Prompt);
                contents = Enumerable.Repeat(choice.Reply ?? choice.Selection.ToString(), request.N).ToList();
                if (request.Logprobs && choice.ProbabilityA is double p && choice.Selection is 'A' or 'B')
                    logprobs = DecisionLogprobs(choice.Selection, p, request.TopLogprobs);
            }
            else if (request.Temperature is > 0)
            {
                var samples = await dispatcher.SampleAsync(request.Model, request.Prompt, new Sampling(request.N, request.Temperature.Value, maxTokens));
                contents = samples.Select(request.ApplyStop).ToList();
            }
            else
            {
                contents = Enumerable.Repeat(request.ApplyStop(await dispatcher.CompleteAsync(request.Model, request.Prompt, maxTokens)), request.N).ToList();
            }

            int promptTokens = TokenCount.Approximate(request.Prompt.Messages.Select(m => m.Content));
            int completionTokens = contents.Sum(c => Math.Max(1, TokenCount.Approximate([c])));
            return Json.Result(new JsonObject
            {
                ["id"] = $"chatcmpl-{Interlocked.Increment(ref served):D8}",
                ["object"] = "chat.completion",
                ["created"] = Json.Now(time),
                ["model"] = request.Model,
                ["system_fingerprint"] = "selfinterp",
                ["choices"] = new JsonArray(contents.Select((content, index) => (JsonNode)new JsonObject
                {
                    ["index"] = index,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null },
                    ["logprobs"] = logprobs?.DeepClone(),
                    ["finish_reason"] = "stop",
                }).ToArray()),
                ["usage"] = new JsonObject
                {
                    ["prompt_tokens"] = promptTokens,
                    ["completion_tokens"] = completionTokens,
                    ["total_tokens"] = promptTokens + completionTokens,
                },
            });
        });
    }

    /// <summary>The one-token answer's log probabilities: the chosen letter, and A and B as its top alternatives.</summary>
    public static JsonObject DecisionLogprobs(char selection, double probabilityA, int top)
    {
        double la = Log(probabilityA), lb = Log(1 - probabilityA);
        var alternatives = new[] { ("A", la), ("B", lb) }.OrderByDescending(t => t.Item2).Take(top)
            .Select(t => (JsonNode)Token(t.Item1, t.Item2)).ToArray();
        var chosen = Token(selection.ToString(), selection == 'A' ? la : lb);
        chosen["top_logprobs"] = new JsonArray(alternatives);
        return new JsonObject { ["content"] = new JsonArray(chosen), ["refusal"] = null };
    }

    private static double Log(double p) => p > 0 ? Math.Max(Math.Log(p), LogprobFloor) : LogprobFloor;

    private static JsonObject Token(string token, double logprob) => new()
    {
        ["token"] = token,
        ["logprob"] = logprob,
        ["bytes"] = new JsonArray(Encoding.UTF8.GetBytes(token).Select(b => (JsonNode)(int)b).ToArray()),
    };
}
