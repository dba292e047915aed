using SelfInterp.Core.Csv;
using SelfInterp.Core.Generation;
using SelfInterp.Core.Layout;
using SelfInterp.Core.Random;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// The instilled model chooses between fresh random trials: on the instilled scenarios (validation seed) to
/// measure learned weights, on the native scenarios to measure native weights. Writes the paper's selections
/// file, with P(A) in a trailing p_a column where the backend gives it. On the instilled scenarios it also checks
/// that instillation worked, and on both that the replies are A or B (<see cref="ReplyChecks"/>).
/// </summary>
public sealed class SelectionsStage(string name, IReadOnlyList<int> scenarios, int perScenario, bool latent, ReplyChecks? checks = null) : IStage
{
    public string Name => name;

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var plan = ctx.Plan;
        var model = ctx.Run.Model(RunPipeline.InstilledKey).Id!;
        var seeds = plan.Config.Seeds;
        var rng = latent
            ? new SeededStream("native_selections", seeds.NativeSelections)
            : new SeededStream("validation_selections", seeds.ValidationSelections);
        var trials = new List<Trial>();
        foreach (int s in scenarios)
            for (int k = 0; k < perScenario; k++) trials.Add(plan.DrawTrial(s, rng));
        var prompts = trials.Select(plan.DecisionPrompt).ToList();

        var replies = await Elicitation.RunAsync(ctx, name, $"Choices of the instilled model on {scenarios.Count} scenarios", prompts,
            async (batch, progress, token) =>
                (await ctx.Backend.ChooseAsync(model, batch, progress, token))
                    .Select(c => new Reply(0, c.Reply, c.Selection.ToString(), c.ProbabilityA)).ToList(),
            ct);

        var w = new CsvWriter([.. PaperLayout.SelectionColumns, "p_a"]);
        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            w.Field(model).Field(t.Scenario).Field(replies[i].Selection ?? "?");
            Datasets.DatasetBuilder.WriteValues(w, plan.Scenario(t.Scenario), t);
            if (replies[i].ProbabilityA is double p) w.Field(Math.Round(p, 6)); else w.Empty();
        }
        var file = latent ? PaperLayout.LatentSelections(plan.FileModelName) : PaperLayout.InstilledSelections(plan.FileModelName);
        w.WriteTo(ctx.Run.File(file));
        Check(plan, trials, replies);
    }

    private void Check(Runs.ExperimentPlan plan, IReadOnlyList<Trial> trials, IReadOnlyList<Reply> replies)
    {
        var limits = checks ?? ReplyChecks.Default;
        var readable = Enumerable.Range(0, trials.Count).Where(i => replies[i].Selection is "A" or "B").ToList();
        ReplyCheck.Unreadable(name, "A or B", Enumerable.Range(0, trials.Count).Except(readable).Select(i => replies[i].Text).ToList(),
            trials.Count, limits.MaxUnreadableChoices);
        if (latent) return;
        int agree = readable.Count(i =>
            Utility.Choice(plan.Scenario(trials[i].Scenario), plan.TargetWeights(trials[i].Scenario), trials[i]).ToString() == replies[i].Selection);
        ReplyCheck.Agreement(name, agree, readable.Count, limits.MinAgreement);
    }
}
