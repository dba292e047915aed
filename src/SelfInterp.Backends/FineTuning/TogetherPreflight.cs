using System.Globalization;
using System.Text;
using System.Text.Json;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// What Together's model listings say about a run before anything is paid for: that Together fine-tunes the base
/// model (GET fine-tunes/models/supported), with the chosen method and options inside its limits (GET
/// fine-tunes/models/limits), and that the fine-tunes can be served the way the run will ask them (serverless LoRA on
/// a base that supports it, or the user's own inference). Each problem says what the user must do.
/// </summary>
public static class TogetherPreflight
{
    /// <summary>
    /// Base models whose LoRA fine-tunes Together serves serverless, as its LoRA inference guide lists them
    /// (docs.together.ai/docs/lora-inference, "Supported base models", read 2026-12): the API document has no field
    /// that says it, so the list is kept here with its source. Any other base needs a dedicated endpoint per fine-tune.
    /// </summary>
    public static readonly string[] ServerlessLoraBases =
    [
        "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", "meta-llama/Meta-Llama-3.1-70B-Instruct-Reference", "Qwen/Qwen2.5-72B-Instruct",
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "Qwen/Qwen3-235B-A22B-Instruct-2507-tput",
    ];

    /// <summary>The base model for which the whole route (LoRA fine-tuning, then serverless inference on the output) works.</summary>
    public const string RecommendedBase = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";

    public sealed record Findings(IReadOnlyList<string> Passed, IReadOnlyList<string> Notes, IReadOnlyList<string> Problems)
    {
        public bool Ok => Problems.Count == 0;

        public string Render()
        {
            var sb = new StringBuilder("pre-flight (asked Together before paying):\n");
            foreach (var p in Passed) sb.Append("  ok: ").Append(p).Append('\n');
            foreach (var n in Notes) sb.Append("  note: ").Append(n).Append('\n');
            foreach (var p in Problems) sb.Append("  PROBLEM: ").Append(p).Append('\n');
            sb.Append(Ok ? "  the route works as configured\n" : "  nothing was sent for training; fix the problems above, then run the same command\n");
            return sb.ToString();
        }
    }

    /// <param name="ownInference">The run asks its models elsewhere than Together (base_url): serving is the user's business.</param>
    public static Findings Check(TogetherOptions o, JsonElement supported, JsonElement? limits, JsonElement served, bool ownInference)
    {
        var passed = new List<string>();
        var notes = new List<string>();
        var problems = new List<string>();
        string model = o.BaseModel;

        var fineTunable = Strings(supported, "models", "GET fine-tunes/models/supported");
        if (fineTunable.Contains(model)) passed.Add($"Together fine-tunes {model}");
        else problems.Add($"Together does not fine-tune '{model}' (GET fine-tunes/models/supported lists {fineTunable.Count} models). " +
            $"Give --base-model one of them; the whole route works serverless with {RecommendedBase}.");

        string method = o.Lora ? "LoRA" : "full";
        if (limits is not { ValueKind: JsonValueKind.Object } l)
            problems.Add($"Together has no fine-tuning limits for '{model}' (GET fine-tunes/models/limits answered 404): it cannot be fine-tuned; choose another --base-model");
        else
        {
            string training = o.Lora ? "lora_training" : "full_training";
            if (!l.TryGetProperty(training, out var t) || t.ValueKind != JsonValueKind.Object)
                problems.Add($"Together does not fine-tune '{model}' with {method} training (its limits have no {training}); " +
                    (o.Lora ? "give --option lora=false for full fine-tuning (served only on a dedicated endpoint), or another --base-model" : "drop --option lora=false"));
            else
            {
                passed.Add($"{method} fine-tuning of {model} is offered");
                if (o.Lora && Int(t, "max_rank") is int maxRank && o.LoraRank > maxRank)
                    problems.Add($"lora_r {o.LoraRank} is above Together's largest rank for {model}, {maxRank}: give --option lora_r={maxRank} (and lora_alpha, e.g. {2 * maxRank})");
                if (o.BatchSize is int b && (Int(t, "min_batch_size") is int lo && b < lo || Int(t, "max_batch_size") is int hi && b > hi))
                    problems.Add($"batch_size {b} is outside Together's range for {method} training of {model} ({Int(t, "min_batch_size")}–{Int(t, "max_batch_size")}): give --option batch_size=N inside it");
            }
            foreach (var epochs in new[] { o.Epochs, o.ItrainEpochs })
                if (epochs is int e && Int(l, "max_num_epochs") is int maxEpochs && e > maxEpochs)
                    problems.Add($"{e} epochs is above Together's most for {model}, {maxEpochs}: lower n_epochs / itrain_n_epochs");
            if (Int(l, "max_num_evals") is int maxEvals && o.Evaluations > maxEvals)
                problems.Add($"n_evals {o.Evaluations} is above Together's most for {model}, {maxEvals}: give --option n_evals={maxEvals}");
            foreach (var rate in new[] { o.LearningRate, o.ItrainLearningRate })
                if (rate is double r && (Num(l, "min_learning_rate") is double min && r < min || Num(l, "max_learning_rate") is double max && r > max))
                    problems.Add($"learning rate {r.ToString(CultureInfo.InvariantCulture)} is outside Together's range for {model} " +
                        $"({Num(l, "min_learning_rate")?.ToString(CultureInfo.InvariantCulture)}–{Num(l, "max_learning_rate")?.ToString(CultureInfo.InvariantCulture)})");
        }

        if (ownInference)
            notes.Add("the run asks its models at its own base_url: serve every fine-tune there (Together's output model names are in run.json as jobs end)");
        else
        {
            bool merged = limits is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("merge_output_lora", out var merge) && merge.ValueKind == JsonValueKind.True;
            if (!o.Lora)
                problems.Add($"full fine-tunes are not served serverless by Together: each would need a dedicated endpoint before the run could ask it. " +
                    $"Use LoRA (the default) on {RecommendedBase}, or create the endpoints yourself and give --base-url");
            else if (!ServerlessLoraBases.Contains(model) || merged)
                problems.Add($"Together does not serve LoRA fine-tunes of '{model}' serverless{(merged ? " (its limits say the output LoRA is merged)" : "")}, " +
                    "so the first question to the instilled model would fail after training was paid for. Choose a base whose LoRA fine-tunes are served " +
                    $"serverless ({string.Join(", ", ServerlessLoraBases)}; Together's LoRA inference guide), e.g. --base-model {RecommendedBase}, " +
                    "or create a dedicated endpoint for each fine-tune and give its URL as --base-url");
            else passed.Add($"LoRA fine-tunes of {model} are served serverless (Together's LoRA inference guide), under their output model names");

            var listed = Ids(served);
            if (listed.Contains(model)) passed.Add($"{model} itself is served (GET models), for the base model's stages");
            else notes.Add($"{model} is not in Together's list of served models (GET models): the base model's own stages (its reports and choices) ask it by this name; " +
                "if Together refuses them, serve the base on a dedicated endpoint or register a served model of the same weights with `selfinterp models set`");
        }
        return new Findings(passed, notes, problems);
    }

    private static List<string> Strings(JsonElement root, string property, string what) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : throw new ProviderAnswerException($"together: {what} answered without a '{property}' list; SelfInterp cannot read the answer");

    /// <summary>Model ids from GET models: the document's array of ModelInfo (or an object with data, as OpenAI lists them).</summary>
    private static HashSet<string> Ids(JsonElement root)
    {
        var list = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array ? d
            : throw new ProviderAnswerException("together: GET models answered neither a list of models nor {data: [...]}; SelfInterp cannot read the answer");
        return list.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            .Select(m => m.GetProperty("id").GetString()!).ToHashSet();
    }

    private static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
    private static double? Num(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
