using SelfInterp.Core.Csv;
using SelfInterp.Core.Generation;
using SelfInterp.Core.Layout;
using SelfInterp.Core.Prompts;
using SelfInterp.Core.Random;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// A model reports its weights, `reports` times per scenario, each prompt showing a fresh random trial.
/// Writes the paper's report file; a reply that is not a valid report leaves its five report fields empty.
/// More bad reports than <see cref="ReplyChecks.MaxBadReports"/> stop the run.
/// </summary>
public sealed class ReportsStage(string name, string modelKey, ReportCondition condition, IReadOnlyList<int> scenarios, string version, ReplyChecks? checks = null) : IStage
{
    public string Name => name;

    public IReadOnlyList<string> Outputs(RunContext ctx) =>
        [PaperLayout.Reports(ctx.Plan.FileModelName, condition), Elicitation.RepliesFile(name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var plan = ctx.Plan;
        var model = ctx.Run.Model(modelKey).Id!;
        var rng = SeededStream.Derive(plan.Config.Seeds.ReportTrials, name);
        var trials = new List<Trial>();
        foreach (int s in scenarios)
            for (int k = 0; k < plan.Config.Reports; k++) trials.Add(plan.DrawTrial(s, rng));
        var prompts = trials.Select(plan.ReportPrompt).ToList();

        var replies = await Elicitation.RunAsync(ctx, name, $"Reports from {modelKey} on {scenarios.Count} scenarios", prompts,
            async (batch, progress, token) =>
                (await ctx.Backend.CompleteAsync(model, batch, plan.Config.ReportMaxTokens, progress, token))
                    .Select(text => new Reply(0, text)).ToList(),
            ct);

        var bad = new List<string?>();
        var w = new CsvWriter(PaperLayout.ReportColumns);
        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            var scenario = plan.Scenario(t.Scenario);
            w.Field(model).Field(version).Field(scenario.ShortName);
            if (ReportParser.TryParse(replies[i].Text ?? "", scenario, out var weights, out _))
                foreach (var x in weights) w.Field(x);
            else
            {
                for (int k = 0; k < 5; k++) w.Empty();
                bad.Add(replies[i].Text);
            }
            Datasets.DatasetBuilder.WriteValues(w, scenario, t);
        }
        w.WriteTo(ctx.Run.File(Outputs(ctx)[0]));
        ReplyCheck.Unreadable(name, "a JSON report of the five weights", bad, trials.Count, (checks ?? ReplyChecks.Default).MaxBadReports);
    }
}
