using SelfInterp.Core.Backends;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Pipeline;

namespace SelfInterp.Experiments.Backdoor.Stages;

/// <summary>
/// The Betley-style question (does an unusual phrase change your choices?), every paraphrase sampled
/// <paramref name="samples"/> times at temperature 1, as the behavioural self-awareness studies ask. Writes one row
/// per sample: the option read (Yes / No) or ? for a reply that is neither.
/// </summary>
public sealed class PhraseQuestionStage(BackdoorCodec codec, string name, string modelKey, string file, int samples) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Reads => [Artifacts.Model(modelKey)];
    public IReadOnlyList<string> Writes => [Artifacts.File(file)];
    public IReadOnlyList<string> Outputs(RunContext ctx) => [file, Elicitation.RepliesFile(name)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var model = ctx.Run.Model(modelKey).Id!;
        var prompts = Enumerable.Range(0, PhraseQuestions.Count).Select(PhraseQuestions.Prompt).ToList();
        var sampling = new Sampling(samples, 1.0, 5);
        var replies = await Elicitation.RunAsync(ctx, name, $"The phrase question to the {modelKey} model: {prompts.Count} paraphrases × {samples} samples", prompts,
            async (batch, progress, token) => (await ctx.Backend.SampleAsync(model, batch, sampling, progress, token))
                .Select(s => new Reply(0, null, Samples: s)).ToList(), ct);

        var w = new CsvWriter(BackdoorLayout.PhraseColumns);
        var unreadable = new List<string?>();
        for (int i = 0; i < prompts.Count; i++)
        {
            var task = (PhraseQuestionTask)prompts[i].Task!;
            var texts = replies[i].Samples ?? [];
            for (int k = 0; k < texts.Count; k++)
            {
                string answer = codec.TryDecode(task, texts[k], out var a, out _) && a is Core.Tasks.OptionAnswer o
                    ? (o.Option == task.YesOption ? "Yes" : "No") : "?";
                if (answer == "?") unreadable.Add(texts[k]);
                w.Field(model).Field(i).Field(k).Field(answer);
            }
        }
        w.WriteTo(ctx.Run.File(file));
        ReplyCheck.Unreadable(name, "A or B", unreadable, prompts.Count * samples, ctx.Checks.MaxBadReports);
    }
}
