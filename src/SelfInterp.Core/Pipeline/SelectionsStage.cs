using SelfInterp.Core.Csv;
using SelfInterp.Core.Generation;
using SelfInterp.Core.Layout;
using SelfInterp.Core.Random;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// The instilled model chooses between fresh random trials: on the instilled scenarios (validation seed) to
/// measure learned weights, on the native scenarios to measure native weights. Writes the paper's selections
/// file, with P(A) in a trailing p_a column where the backend gives it.
/// </summary>
public sealed class SelectionsStage(string name, IReadOnlyList<int> scenarios, int perScenario, bool latent) : IStage
{
    public string Name => name;

    public IReadOnlyList<string> Outputs(RunContext ctx) =>
        [latent ? PaperLayout.LatentSelections(ctx.Plan.FileModelName) : PaperLayout.InstilledSelections(ctx.Plan.FileModelName), Elicitation.RepliesFile(name)];

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
        w.WriteTo(ctx.Run.File(Outputs(ctx)[0]));
    }
}
