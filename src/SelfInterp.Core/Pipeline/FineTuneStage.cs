using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>Fine-tunes one model from another and records it in run.json (the job id as soon as it exists).</summary>
public sealed class FineTuneStage(
    string name, string resultKey, string fromKey, FineTuneKind kind,
    Func<Datasets.Datasets, (string File, string? Validation, IReadOnlyList<TrainingExample> Examples)> select) : IStage
{
    public string Name => name;

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var (file, validation, examples) = select(ctx.Data);
        var from = ctx.Run.Model(fromKey).Id!;
        ctx.Run.Manifest.Models.TryGetValue(resultKey, out var existing);
        ctx.Progress.StartStage(name, $"Fine-tuning {resultKey} from {fromKey} on {examples.Count} examples", 1);
        var request = new FineTuneRequest(
            from, resultKey, kind, file, validation, examples,
            // Below 10^9 so it survives services whose job seed is a 32-bit integer: a job run through the
            // OpenAI-compatible API then gets the same seed, and the same model, as one run in-process.
            Random.SeededStream.DeriveSeed(ctx.Plan.Config.Seeds.FinetuningJob, resultKey) % 1_000_000_000,
            ExistingJobId: existing?.JobId,
            JobCreated: job => ctx.Run.Update(m => m.Models[resultKey] = new ModelRecord
            {
                From = fromKey, JobId = job, TrainingFile = Path.GetFileName(file),
            }));
        var progress = new Progress<double>(ctx.Progress.Fraction);
        string id = await ctx.Backend.FineTuneAsync(request, progress, ct);
        ctx.Run.Update(m =>
        {
            var record = m.Models.TryGetValue(resultKey, out var r) ? r : new ModelRecord();
            record.Id = id;
            record.From = fromKey;
            record.TrainingFile = Path.GetFileName(file);
            m.Models[resultKey] = record;
        });
    }
}
