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

    public static string Describe(string runPath, IReadOnlyList<PendingFineTune> pending)
    {
        var sb = new StringBuilder();
        sb.Append("fine-tuning happens outside SelfInterp (--fine-tune external); the run stops here, everything done so far kept.\n");
        sb.Append("Train these models (chat JSONL, the assistant's answer is the target), serve them behind an OpenAI-compatible server, register them, then run the same command again:\n");
        foreach (var p in pending)
        {
            var from = p.FromModel is { } id ? $"'{id}' ({p.FromKey})" : $"the model you register as '{p.FromKey}'";
            sb.Append($"  {p.Key}: start from {from}; train on {Path.GetFullPath(p.TrainingFile)} ({p.Examples} examples, {(p.TeachesReports ? "answers are reports" : "answers are choices")})");
            if (p.ValidationFile is { } v) sb.Append($"; validation {Path.GetFullPath(v)}");
            sb.Append($"; seed {p.Seed}\n");
        }
        sb.Append($"register: {RegisterCommand} {Path.GetFullPath(runPath)} {string.Join(' ', pending.Select(p => p.Key + "=MODEL_ID"))}\n");
        sb.Append("(a recipe for TRL + vLLM: docs/open-weight.md)");
        return sb.ToString();
    }
}
