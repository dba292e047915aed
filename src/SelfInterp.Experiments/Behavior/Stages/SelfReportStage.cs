using SelfInterp.Core.Backends;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Pipeline;

namespace SelfInterp.Experiments.Behavior.Stages;

/// <summary>
/// A model's self-reports: every paraphrase of its questions sampled <see cref="BehaviorConfig.Samples"/> times at
/// <see cref="BehaviorConfig.Temperature"/>. Writes <c>self_reports_{key}.csv</c>, one row per sample with its score
/// (empty when unreadable); stops when more than the run's limit of bad reports are unreadable.
/// </summary>
public sealed class SelfReportStage(BehaviorPlan plan, BehaviorCodec codec, string modelKey, PlannedModel? model) : IStage
{
    public string Name => $"self_reports_{modelKey}";
    public string File => BehaviorLayout.SelfReportsFile(modelKey);
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(File)];
    public IReadOnlyList<string> Outputs(RunContext ctx) => [File, Elicitation.RepliesFile(Name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var id = ctx.Run.Model(modelKey).Id!;
        var questions = plan.SelfReportItems(model);
        var c = plan.Config;
        var sampling = new Sampling(c.Samples, c.Temperature, c.MaxTokens);
        var replies = await Elicitation.RunAsync(ctx, Name, $"Self-reports of the {modelKey} model: {questions.Count} questions × {c.Samples} samples",
            questions.Select(q => BehaviorPlan.Prompt(q.Text, q.Task)).ToList(),
            async (batch, progress, token) =>
                (await ctx.Backend.SampleAsync(id, batch, sampling, progress, token)).Select(s => new Reply(0, null, Samples: s)).ToList(),
            ct);

        var w = new CsvWriter(BehaviorLayout.SelfReportColumns);
        var unreadable = new List<string?>();
        for (int i = 0; i < questions.Count; i++)
        {
            var q = questions[i];
            var samples = replies[i].Samples ?? [];
            for (int k = 0; k < samples.Count; k++)
            {
                w.Field(modelKey).Field(q.Trait).Field(q.Kind).Field(q.Paraphrase).Field(k);
                if (codec.Score(q.Task, samples[k]) is double score) w.Field(score); else { w.Empty(); unreadable.Add(samples[k]); }
                w.Field(samples[k]);
            }
        }
        w.WriteTo(ctx.Run.File(File));
        ReplyCheck.Unreadable(Name, "a readable self-report", unreadable, questions.Count * c.Samples, ctx.Checks.MaxBadReports);
    }
}
