using System.Globalization;
using System.Text.Json;
using OpenAI.Chat;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.OpenAI;

/// <summary>
/// How an OpenAI-compatible service takes the length limit and log-probabilities of a chat completion, and answers
/// them. OpenAI's document: max_completion_tokens, logprobs a boolean with top_logprobs an integer, the answer's under
/// logprobs.content[]. Together's document: max_tokens, logprobs an integer (0–20), the answer's as tokens,
/// token_logprobs and top_logprobs (a map of token to log-probability; a per-token list of such maps is read too).
/// An answer with log-probabilities in neither shape, or P(A) missing for too many choices, stops the run by name.
/// </summary>
public sealed class LogprobDialect(bool together, Uri? endpoint)
{
    /// <summary>The share of choices that may come back without P(A) when it was asked for.</summary>
    public const double MaxMissingProbabilities = 0.01;

    public bool Together => together;
    private string Provider => together ? "together" : endpoint?.Host ?? "api.openai.com";

    public static bool IsTogetherHost(Uri u) =>
        u.Host.EndsWith("together.ai", StringComparison.OrdinalIgnoreCase) || u.Host.EndsWith("together.xyz", StringComparison.OrdinalIgnoreCase);

#pragma warning disable SCME0001 // JsonPatch: the SDK's typed options write OpenAI's field names only
    public void MaxTokens(ChatCompletionOptions options, int tokens)
    {
        if (together) options.Patch.Set("$.max_tokens"u8, tokens);
        else options.MaxOutputTokenCount = tokens;
    }

    public void AskLogprobs(ChatCompletionOptions options, int top)
    {
        if (together) options.Patch.Set("$.logprobs"u8, Math.Min(top, 20));
        else
        {
            options.IncludeLogProbabilities = true;
            options.TopLogProbabilityCount = top;
        }
    }
#pragma warning restore SCME0001

    /// <summary>
    /// The first reply token and its alternatives with their log-probabilities, read from the raw JSON (the SDK's
    /// typed properties hold them as float, which would cost P(A) its sixth decimal). None when the answer carries no
    /// log-probabilities; an error naming the field when it carries them in a shape neither document describes.
    /// </summary>
    public IReadOnlyList<(string Token, double LogProbability)> FirstTokenAlternatives(BinaryData raw, string model)
    {
        using var doc = JsonDocument.Parse(raw.ToMemory());
        var found = new List<(string, double)>();
        if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0
            || !choices[0].TryGetProperty("logprobs", out var lp) || lp.ValueKind == JsonValueKind.Null)
            return found;
        if (lp.ValueKind == JsonValueKind.Object && lp.TryGetProperty("content", out var content) && content.ValueKind is JsonValueKind.Array or JsonValueKind.Null)
        {
            if (content.ValueKind == JsonValueKind.Null || content.GetArrayLength() == 0) return found;
            var first = content[0];
            AddPair(found, first);
            if (first.TryGetProperty("top_logprobs", out var top) && top.ValueKind == JsonValueKind.Array)
                foreach (var e in top.EnumerateArray()) AddPair(found, e);
            return found;
        }
        if (lp.ValueKind == JsonValueKind.Object && (lp.TryGetProperty("tokens", out _) || lp.TryGetProperty("top_logprobs", out _)))
        {
            if (lp.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array && tokens.GetArrayLength() > 0
                && lp.TryGetProperty("token_logprobs", out var logprobs) && logprobs.ValueKind == JsonValueKind.Array && logprobs.GetArrayLength() > 0
                && tokens[0].ValueKind == JsonValueKind.String && logprobs[0].ValueKind == JsonValueKind.Number)
                found.Add((tokens[0].GetString()!, logprobs[0].GetDouble()));
            if (lp.TryGetProperty("top_logprobs", out var top))
            {
                // The document's map of token to log-probability, or a list with one such map per generated token.
                var map = top.ValueKind == JsonValueKind.Array && top.GetArrayLength() > 0 ? top[0] : top;
                if (map.ValueKind == JsonValueKind.Object)
                    foreach (var p in map.EnumerateObject())
                        if (p.Value.ValueKind == JsonValueKind.Number) found.Add((p.Name, p.Value.GetDouble()));
                        else throw Unreadable(model, $"choices[0].logprobs.top_logprobs.{p.Name}", "is not a number");
                else if (map.ValueKind is not (JsonValueKind.Null or JsonValueKind.Array))
                    throw Unreadable(model, "choices[0].logprobs.top_logprobs", "is neither a map of token to log-probability nor a list of such maps");
            }
            return found;
        }
        throw Unreadable(model, "choices[0].logprobs",
            $"has neither OpenAI's content[] nor Together's tokens/token_logprobs/top_logprobs (it has: {Keys(lp)})");
    }

    /// <summary>Stops when more than 1% of the choices came back without P(A) although it was asked for.</summary>
    public void CheckProbabilities(string model, IReadOnlyList<Choice> choices)
    {
        int missing = choices.Count(c => c.ProbabilityA is null);
        if (choices.Count == 0 || missing <= MaxMissingProbabilities * choices.Count) return;
        string field = together ? "choices[].logprobs.top_logprobs" : "choices[].logprobs.content[0].top_logprobs";
        throw new ProviderAnswerException(
            $"{Provider}, model '{model}': {missing} of {choices.Count} choices ({(double)missing / choices.Count * 100:0.#}%) came back without P(A): " +
            $"the field {field} was missing or held neither 'A' nor 'B' among its alternatives (the limit is {MaxMissingProbabilities * 100:0.#}%). " +
            "The service may not return log-probabilities for this model, or too few alternatives were asked for: give --option top_logprobs=20, " +
            "or --option top_logprobs=0 to run without P(A). Replies already received are kept in the run directory.");
    }

    private static void AddPair(List<(string, double)> found, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String
            && e.TryGetProperty("logprob", out var l) && l.ValueKind == JsonValueKind.Number)
            found.Add((t.GetString()!, l.GetDouble()));
    }

    private ProviderAnswerException Unreadable(string model, string field, string what) => new(
        $"{Provider}, model '{model}': the answer's {field} {what}; SelfInterp cannot read P(A) from it. " +
        "Nothing was analysed; replies already received are kept in the run directory. Give --option top_logprobs=0 to run without P(A).");

    private static string Keys(JsonElement e) => e.ValueKind == JsonValueKind.Object
        ? string.Join(", ", e.EnumerateObject().Select(p => p.Name)) : e.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture);
}
