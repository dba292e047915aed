using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Csv;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;

namespace SelfInterp.Experiments.Preferences.Stages;

/// <summary>
/// A model chooses between fresh random trials, <paramref name="perScenario"/> per scenario, drawn from the
/// stream <paramref name="streamName"/>: the instilled model on the instilled scenarios (validation seed) to measure
/// learned weights and on the native scenarios to measure native weights; the base model on the instilled
/// scenarios, to measure the preferences it had before instillation. Writes the paper's selections file (ours for
/// the base model), with P(A) in a trailing p_a column where the backend gives it. Every kind checks that the
/// replies are A or B; with <paramref name="checkInstillation"/> (the instilled model on the instilled scenarios) it
/// also checks that the choices follow the target weights, i.e. that instillation worked (the run's ReplyChecks).
/// </summary>
public sealed class SelectionsStage(PreferencesPlan plan, string name, string modelKey, IReadOnlyList<int> scenarios,
    int perScenario, string streamName, ulong seed, string file, bool checkInstillation = false) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(file)];
    public IReadOnlyList<string> Outputs(RunContext ctx) => [file, Elicitation.RepliesFile(name)];

    /// <summary>The stage's trials, in item order: the same on every call.</summary>
    public List<Trial> Trials()
    {
        var rng = new SeededStream(streamName, seed);
        var trials = new List<Trial>();
        foreach (int s in scenarios)
            for (int k = 0; k < perScenario; k++) trials.Add(plan.DrawTrial(s, rng));
        return trials;
    }

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var model = ctx.Run.Model(modelKey).Id!;
        var trials = Trials();
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
            DatasetBuilder.WriteValues(w, plan.Scenario(t.Scenario), t);
            if (replies[i].ProbabilityA is double p) w.Field(Math.Round(p, 6)); else w.Empty();
        }
        w.WriteTo(ctx.Run.File(file));
        Check(ctx.Checks, trials, replies);
    }

    private void Check(ReplyChecks limits, IReadOnlyList<Trial> trials, IReadOnlyList<Reply> replies)
    {
        var readable = Enumerable.Range(0, trials.Count).Where(i => replies[i].Selection is "A" or "B").ToList();
        ReplyCheck.Unreadable(name, "A or B", Enumerable.Range(0, trials.Count).Except(readable).Select(i => replies[i].Text).ToList(),
            trials.Count, limits.MaxUnreadableChoices);
        if (!checkInstillation) return;
        int agree = readable.Count(i =>
            Utility.Choice(plan.Scenario(trials[i].Scenario), plan.TargetWeights(trials[i].Scenario), trials[i]).ToString() == replies[i].Selection);
        ReplyCheck.Agreement(name, agree, readable.Count, limits.MinAgreement);
    }
}
