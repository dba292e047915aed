using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Csv;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;

namespace SelfInterp.Experiments.Preferences.Stages;

/// <summary>
/// A model reports its weights, `reports` times per scenario, each prompt showing a fresh random trial.
/// Writes the paper's report file; a reply that is not a valid report leaves its five report fields empty, and one with a
/// value off the scale asked for keeps its values there (the analysis reads it as a bad report, <see cref="ReportParser.OnScale"/>).
/// The trials come from the report-trials seed under <paramref name="trialStream"/> (default: the stage's name),
/// so two stages given the same stream ask the very same questions.
/// More bad reports, unreadable or off the scale, than the run's <see cref="ReplyChecks.MaxBadReports"/> stop the run: the
/// analysis would fit its slopes on the few left.
/// </summary>
public sealed class ReportsStage(PreferencesPlan plan, string name, string modelKey, string file,
    IReadOnlyList<int> scenarios, string version, string? trialStream = null) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(file)];

    public IReadOnlyList<string> Outputs(RunContext ctx) => [file, Elicitation.RepliesFile(name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var model = ctx.Run.Model(modelKey).Id!;
        var rng = SeededStream.Derive(plan.Seeds.ReportTrials, trialStream ?? name);
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
        int offScale = 0;
        var w = new CsvWriter(PaperLayout.ReportColumns);
        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            var scenario = plan.Scenario(t.Scenario);
            w.Field(model).Field(version).Field(scenario.ShortName);
            if (ReportParser.TryParse(replies[i].Text ?? "", scenario, out var weights, out _))
            {
                foreach (var x in weights) w.Field(x);
                if (!weights.All(ReportParser.OnScale)) { bad.Add(replies[i].Text); offScale++; }
            }
            else
            {
                for (int k = 0; k < 5; k++) w.Empty();
                bad.Add(replies[i].Text);
            }
            DatasetBuilder.WriteValues(w, scenario, t);
        }
        w.WriteTo(ctx.Run.File(file));
        ReplyCheck.Unreadable(name, ReportParser.GoodReport, bad, trials.Count, ctx.Checks.MaxBadReports, ReportParser.OffScaleCause(offScale));
    }
}
