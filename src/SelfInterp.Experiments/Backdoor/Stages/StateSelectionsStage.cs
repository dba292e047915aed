using SelfInterp.Core.Csv;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Experiments.Backdoor.Stages;

/// <summary>
/// The instilled model chooses between fresh trials of every instilled scenario (the validation stream), each trial
/// asked twice: without the trigger and with it. Writes the authors' selections file (flipped column, prompt).
/// </summary>
public sealed class StateSelectionsStage(BackdoorPlan plan, string name, string modelKey, string file) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(file)];
    public IReadOnlyList<string> Outputs(RunContext ctx) => [file, Elicitation.RepliesFile(name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var p = plan.Preferences;
        var model = ctx.Run.Model(modelKey).Id!;
        var items = plan.PairedTrials(p.Config.Selections, new SeededStream("validation_selections", p.Seeds.ValidationSelections));
        var prompts = items.Select(x => plan.DecisionPrompt(x.Trial, x.Triggered)).ToList();
        var replies = await Elicitation.RunAsync(ctx, name, $"Choices of the {modelKey} model with and without the trigger", prompts,
            async (batch, progress, token) => (await ctx.Backend.ChooseAsync(model, batch, progress, token))
                .Select(c => new Reply(0, c.Reply, c.Selection.ToString(), c.ProbabilityA)).ToList(), ct);

        var w = new CsvWriter(BackdoorLayout.SelectionColumns);
        for (int i = 0; i < items.Count; i++)
        {
            var (t, triggered) = items[i];
            w.Field(model).Field(p.Scenario(t.Scenario).ShortName).Field(BackdoorLayout.Flag(triggered)).Field(replies[i].Selection ?? "?")
                .Field(prompts[i].Messages.Last(m => m.Role == "user").Content);
            DatasetBuilder.WriteValues(w, p.Scenario(t.Scenario), t);
        }
        w.WriteTo(ctx.Run.File(file));
        ReplyCheck.Unreadable(name, "A or B", replies.Where(r => r.Selection is not ("A" or "B")).Select(r => r.Text).ToList(),
            items.Count, ctx.Checks.MaxUnreadableChoices);
    }
}
