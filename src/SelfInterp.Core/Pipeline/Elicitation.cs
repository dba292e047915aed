using SelfInterp.Core.Backends;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// Asks a model about many prompts in batches, keeping every answered batch in the stage's reply cache, and
/// returns the replies in item order. Shared by the report and selection stages.
/// </summary>
public static class Elicitation
{
    public const string RepliesDirectory = "replies";
    public const int BatchSize = 100;

    /// <summary>The stage's raw replies, relative to the run directory.</summary>
    public static string RepliesFile(string stage) => Path.Combine(RepliesDirectory, stage + ".jsonl");

    public static async Task<Reply[]> RunAsync(
        RunContext ctx, string stage, string description, IReadOnlyList<ChatPrompt> prompts,
        Func<IReadOnlyList<ChatPrompt>, IProgress<int>, CancellationToken, Task<IReadOnlyList<Reply>>> ask,
        CancellationToken ct)
    {
        var cache = new ReplyCache(ctx.Run.File(RepliesFile(stage)));
        var replies = new Reply[prompts.Count];
        var todo = new List<int>();
        for (int i = 0; i < prompts.Count; i++)
            if (cache.TryGet(i, out var r)) replies[i] = r; else todo.Add(i);

        ctx.Progress.StartStage(stage, description, prompts.Count);
        ctx.Progress.Advance(prompts.Count - todo.Count);
        var progress = new Progress<int>(ctx.Progress.Advance);
        for (int start = 0; start < todo.Count; start += BatchSize)
        {
            ct.ThrowIfCancellationRequested();
            var batch = todo.Skip(start).Take(BatchSize).ToList();
            var answers = await ask(batch.Select(i => prompts[i]).ToList(), progress, ct);
            var indexed = batch.Select((item, k) => answers[k] with { Index = item }).ToList();
            cache.Append(indexed);
            foreach (var a in indexed) replies[a.Index] = a;
        }
        return replies;
    }
}
