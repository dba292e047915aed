using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>What a fine-tune trains on: the file backends upload, an optional validation file, the examples.</summary>
public sealed record FineTuneInput(string File, string? Validation, IReadOnlyList<TrainingExample> Examples);

/// <summary>
/// Fine-tunes one model from another and records it in run.json (the job id as soon as it exists).
/// <paramref name="input"/> is called when the stage runs, so it may read what earlier stages wrote.
/// </summary>
public sealed class FineTuneStage(string name, string resultKey, string fromKey, IReadOnlyList<string> inputFiles, Func<RunContext, FineTuneInput> input) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Reads => [Artifacts.Model(fromKey), .. inputFiles.Select(Artifacts.File)];
    public IReadOnlyList<string> Writes => [Artifacts.Model(resultKey)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        var (file, validation, examples) = input(ctx);
        var from = ctx.Run.Model(fromKey).Id!;
        ctx.Run.Manifest.Models.TryGetValue(resultKey, out var existing);
        ctx.Progress.StartStage(name, $"Fine-tuning {resultKey} from {fromKey} on {examples.Count} examples", 1);
        var request = new FineTuneRequest(
            from, resultKey, file, validation, examples,
            // Below 10^9 so it survives services whose job seed is a 32-bit integer: a job run through the
            // OpenAI-compatible API then gets the same seed, and the same model, as one run in-process.
            Random.SeededStream.DeriveSeed(ctx.Run.Manifest.Config.Seeds.FinetuningJob, resultKey) % 1_000_000_000,
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
