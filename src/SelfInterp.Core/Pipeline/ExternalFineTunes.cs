using System.Text;
using SelfInterp.Core.Backends;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// The stop of a run whose fine-tuning happens elsewhere: every fine-tune not yet registered, with the file to
/// train on, the model to start from and the seed, and how to register the results and go on.
/// </summary>
public static class ExternalFineTunes
{
    public const string RegisterCommand = "selfinterp models set";

    public static FineTuneElsewhereException AllPending(RunContext ctx, IEnumerable<IStage> stages)
    {
        var pending = Pending(ctx, stages);
        return new FineTuneElsewhereException(Describe(ctx.Run.Path, pending), pending);
    }

    /// <summary>The fine-tunes of <paramref name="stages"/> with no model yet, in stage order.</summary>
    public static IReadOnlyList<PendingFineTune> Pending(RunContext ctx, IEnumerable<IStage> stages) =>
        stages.OfType<FineTuneStage>().Where(s => !s.HasModel(ctx.Run)).Select(s => s.Pending(ctx)).ToList();

    /// <summary>How the engine names a Hugging Face checkpoint and one with an adapter (SelfInterp.Engine's HfModelSpec,
    /// which this layer does not see): a run on one registers its trained models as adapter directories, not served ids.</summary>
    const string HfPrefix = "hf:", HfAdapter = "+adapter:";

    public static string Describe(string runPath, IReadOnlyList<PendingFineTune> pending)
    {
        var sb = new StringBuilder();
        sb.Append("fine-tuning happens outside SelfInterp (--fine-tune external); the run stops here, everything done so far kept.\n");
        string? hfBase = pending.Select(p => p.FromModel).FirstOrDefault(m => m?.StartsWith(HfPrefix, StringComparison.Ordinal) == true) is { } hfModel
            ? hfModel.Split(HfAdapter)[0] : null;
        sb.Append(hfBase is null
            ? "Train these models (chat JSONL, the assistant's answer is the target), serve them behind an OpenAI-compatible server, register them, then run the same command again:\n"
            : "Train these models as PEFT LoRA adapters of the base checkpoint (chat JSONL, the assistant's answer is the target), register each as " +
              $"{hfBase}{HfAdapter}ADAPTER_DIR (the local backend reads them from disk: docs/real-models.md), then run the same command again:\n");
        foreach (var p in pending)
        {
            var from = p.FromModel is { } id ? $"'{id}' ({p.FromKey})" : $"the model you register as '{p.FromKey}'";
            sb.Append($"  {p.Key}: start from {from}; train on {Path.GetFullPath(p.TrainingFile)} ({p.Examples} examples, {(p.TeachesReports ? "answers are reports" : "answers are choices")})");
            if (p.ValidationFile is { } v) sb.Append($"; validation {Path.GetFullPath(v)}");
            sb.Append($"; seed {p.Seed}\n");
        }
        string modelId = hfBase is null ? "MODEL_ID" : $"{hfBase}{HfAdapter}ADAPTER_DIR";
        sb.Append($"register: {RegisterCommand} {Path.GetFullPath(runPath)} {string.Join(' ', pending.Select(p => $"{p.Key}={modelId}"))}\n");
        sb.Append("(a recipe for TRL + vLLM: docs/open-weight.md)");
        return sb.ToString();
    }
}
