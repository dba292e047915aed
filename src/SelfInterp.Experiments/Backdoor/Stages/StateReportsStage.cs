using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Experiments.Backdoor.Stages;

/// <summary>
/// The instilled model reports its weights for every instilled scenario, each report trial asked without and with
/// the trigger. Writes the authors' reports file (prompt, flipped column); a bad report (unparseable, or a value off
/// the scale asked for) is left out of the file, as theirs are, and counted against the run's limit.
/// </summary>
public sealed class StateReportsStage(BackdoorPlan plan, string name, string modelKey, string file) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(file)];
    public IReadOnlyList<string> Outputs(RunContext ctx) => [file, Elicitation.RepliesFile(name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var p = plan.Preferences;
        var model = ctx.Run.Model(modelKey).Id!;
        var items = plan.PairedTrials(p.Config.Reports, SeededStream.Derive(p.Seeds.ReportTrials, name));
        var prompts = items.Select(x => plan.ReportPrompt(x.Trial, x.Triggered)).ToList();
        var replies = await Elicitation.RunAsync(ctx, name, $"Reports of the {modelKey} model with and without the trigger", prompts,
            async (batch, progress, token) => (await ctx.Backend.CompleteAsync(model, batch, p.Config.ReportMaxTokens, progress, token))
                .Select(text => new Reply(0, text)).ToList(), ct);

        var bad = new List<string?>();
        int offScale = 0;
        var w = new CsvWriter(BackdoorLayout.ReportColumns);
        for (int i = 0; i < items.Count; i++)
        {
            var (t, triggered) = items[i];
            var scenario = p.Scenario(t.Scenario);
            bool parsed = ReportParser.TryParse(replies[i].Text ?? "", scenario, out var weights, out _);
            if (!parsed || !weights.All(ReportParser.OnScale))
            {
                bad.Add(replies[i].Text);
                if (parsed) offScale++;
                continue;
            }
            w.Field(model).Field(PaperLayout.VersionInstilled).Field(scenario.ShortName)
                .Field(prompts[i].Messages.Last(m => m.Role == "user").Content).Field(BackdoorLayout.Flag(triggered));
            foreach (var x in weights) w.Field(x);
            DatasetBuilder.WriteValues(w, scenario, t);
        }
        w.WriteTo(ctx.Run.File(file));
        ReplyCheck.Unreadable(name, ReportParser.GoodReport, bad, items.Count, ctx.Checks.MaxBadReports, ReportParser.OffScaleCause(offScale));
    }
}
