using SelfInterp.Core.Csv;
using SelfInterp.Core.Generation;
using SelfInterp.Core.Layout;
using SelfInterp.Core.Random;

namespace SelfInterp.Core.Pipeline;

/// <summary>Whose choices a <see cref="SelectionsStage"/> collects, on which scenarios.</summary>
public enum SelectionsKind
{
    /// <summary>The instilled model on the instilled scenarios (validation seed): learned weights.</summary>
    Instilled,
    /// <summary>The instilled model on the native scenarios: native weights.</summary>
    Native,
    /// <summary>The base model on the instilled scenarios (validation seed, its own stream): the positive control's weights.</summary>
    Base,
}

/// <summary>
/// A model chooses between fresh random trials: the instilled model on the instilled scenarios (validation seed)
/// to measure learned weights and on the native scenarios to measure native weights; the base model on the
/// instilled scenarios, to measure the preferences it had before instillation. Writes the paper's selections
/// file (ours for the base model), with P(A) in a trailing p_a column where the backend gives it.
/// On the instilled model's instilled scenarios it also checks that instillation worked, and on every kind that
/// the replies are A or B (<see cref="ReplyChecks"/>).
/// </summary>
public sealed class SelectionsStage(string name, IReadOnlyList<int> scenarios, int perScenario, SelectionsKind kind, ReplyChecks? checks = null) : IStage
{
    public string Name => name;

    public IReadOnlyList<string> Outputs(RunContext ctx) => [SelectionsFile(ctx.Plan.FileModelName), Elicitation.RepliesFile(name)];

    private string SelectionsFile(string model) => kind switch
    {
        SelectionsKind.Native => PaperLayout.LatentSelections(model),
        SelectionsKind.Instilled => PaperLayout.InstilledSelections(model),
        _ => PaperLayout.BaseSelections(model),
    };

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var plan = ctx.Plan;
        var modelKey = kind == SelectionsKind.Base ? RunPipeline.BaseModelKey : RunPipeline.InstilledKey;
        var model = ctx.Run.Model(modelKey).Id!;
        var seeds = plan.Config.Seeds;
        var rng = kind switch
        {
            SelectionsKind.Native => new SeededStream("native_selections", seeds.NativeSelections),
            SelectionsKind.Instilled => new SeededStream("validation_selections", seeds.ValidationSelections),
            // Derived, not the validation stream itself, so the instilled model's selections keep their bytes.
            _ => SeededStream.Derive(seeds.ValidationSelections, "base_selections"),
        };
        var trials = new List<Trial>();
        foreach (int s in scenarios)
            for (int k = 0; k < perScenario; k++) trials.Add(plan.DrawTrial(s, rng));
        var prompts = trials.Select(plan.DecisionPrompt).ToList();

        var replies = await Elicitation.RunAsync(ctx, name, $"Choices of the {modelKey} model on {scenarios.Count} scenarios", prompts,
            async (batch, progress, token) =>
                (await ctx.Backend.ChooseAsync(model, batch, progress, token))
                    .Select(c => new Reply(0, c.Reply, c.Selection.ToString(), c.ProbabilityA)).ToList(),
            ct);

        var w = new CsvWriter([.. PaperLayout.SelectionColumns, "p_a"]);
        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            w.Field(model).Field(plan.Scenario(t.Scenario).ShortName).Field(replies[i].Selection ?? "?");
            Datasets.DatasetBuilder.WriteValues(w, plan.Scenario(t.Scenario), t);
            if (replies[i].ProbabilityA is double p) w.Field(Math.Round(p, 6)); else w.Empty();
        }
        w.WriteTo(ctx.Run.File(Outputs(ctx)[0]));
        Check(plan, trials, replies);
    }

    private void Check(Runs.ExperimentPlan plan, IReadOnlyList<Trial> trials, IReadOnlyList<Reply> replies)
    {
        var limits = checks ?? ReplyChecks.Default;
        var readable = Enumerable.Range(0, trials.Count).Where(i => replies[i].Selection is "A" or "B").ToList();
        ReplyCheck.Unreadable(name, "A or B", Enumerable.Range(0, trials.Count).Except(readable).Select(i => replies[i].Text).ToList(),
            trials.Count, limits.MaxUnreadableChoices);
        if (kind != SelectionsKind.Instilled) return;
        int agree = readable.Count(i =>
            Utility.Choice(plan.Scenario(trials[i].Scenario), plan.TargetWeights(trials[i].Scenario), trials[i]).ToString() == replies[i].Selection);
        ReplyCheck.Agreement(name, agree, readable.Count, limits.MinAgreement);
    }
}
