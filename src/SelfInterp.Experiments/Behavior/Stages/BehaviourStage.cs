using SelfInterp.Core.Csv;
using SelfInterp.Core.Pipeline;

namespace SelfInterp.Experiments.Behavior.Stages;

/// <summary>
/// A model's choices on the held-out questions of its trait (with and without the trigger where the backdoor asks
/// for both), at temperature 0 with P(A) where the backend gives it: the behaviour its self-reports are compared with.
/// Writes <c>choices_{key}.csv</c>; stops when too many replies are neither A nor B (the run's ReplyChecks).
/// </summary>
public sealed class BehaviourStage(BehaviorPlan plan, string modelKey, PlannedModel? model) : IStage
{
    public string Name => $"behaviour_{modelKey}";
    public string File => BehaviorLayout.ChoicesFile(modelKey);
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(File)];
    public IReadOnlyList<string> Outputs(RunContext ctx) => [File, Elicitation.RepliesFile(Name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var id = ctx.Run.Model(modelKey).Id!;
        var items = plan.BehaviourItems(model);
        var replies = await Elicitation.RunAsync(ctx, Name, $"Choices of the {modelKey} model on {items.Count} held-out questions",
            items.Select(i => i.Prompt).ToList(),
            async (batch, progress, token) =>
                (await ctx.Backend.ChooseAsync(id, batch, progress, token)).Select(c => new Reply(0, c.Reply, c.Selection.ToString(), c.ProbabilityA)).ToList(),
            ct);

        var w = new CsvWriter(BehaviorLayout.ChoiceColumns);
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            w.Field(modelKey).Field(item.Trait.Name).Field(item.Question).Field(item.Triggered ? 1 : 0).Field(item.Source.HighOption.ToString())
             .Field(replies[i].Selection ?? "?");
            if (replies[i].ProbabilityA is double p) w.Field(Math.Round(p, 6)); else w.Empty();
            w.Field(item.Prompt.Messages[^1].Content);
        }
        w.WriteTo(ctx.Run.File(File));
        ReplyCheck.Unreadable(Name, "A or B", replies.Where(r => r.Selection is not ("A" or "B")).Select(r => r.Text).ToList(),
            replies.Length, ctx.Checks.MaxUnreadableChoices);
    }
}
