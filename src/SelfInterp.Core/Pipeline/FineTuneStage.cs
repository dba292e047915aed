using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>What a fine-tune trains on: the file backends upload, an optional validation file, the examples.</summary>
public sealed record FineTuneInput(string File, string? Validation, IReadOnlyList<TrainingExample> Examples);

/// <summary>
/// Fine-tunes one model from another and records it in run.json (the job id as soon as it exists).
/// <paramref name="input"/> is called when the stage runs, so it may read what earlier stages wrote.
/// A model already registered under the result key (`selfinterp models set`, trained elsewhere) is used as it is.
/// </summary>
public sealed class FineTuneStage(string name, string resultKey, string fromKey, IReadOnlyList<string> inputFiles, Func<RunContext, FineTuneInput> input) : IStage
{
    public string Name => name;
    public string ResultKey => resultKey;
    public string FromKey => fromKey;
    public IReadOnlyList<string> Reads => [Artifacts.Model(fromKey), .. inputFiles.Select(Artifacts.File)];
    public IReadOnlyList<string> Writes => [Artifacts.Model(resultKey)];

    public async Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        if (IsRegistered(ctx.Run)) return;
        var (file, _, examples) = input(ctx);
        ctx.Run.Manifest.Models.TryGetValue(resultKey, out var existing);
        ctx.Progress.StartStage(name, $"Fine-tuning {resultKey} from {fromKey} on {examples.Count} examples", 1);
        var request = Request(ctx, ctx.Run.Model(fromKey).Id!) with
        {
            ExistingJobId = existing?.JobId,
            JobCreated = job => ctx.Run.Update(m => m.Models[resultKey] = new ModelRecord
            {
                From = fromKey, JobId = job, TrainingFile = Path.GetFileName(file),
            }),
        };
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

    /// <summary>Registered with `models set`: trained elsewhere, used as it is.</summary>
    public bool IsRegistered(RunDirectory run) => run.Manifest.Models.TryGetValue(resultKey, out var m) && m.Id is not null && m.Registered == true;

    /// <summary>The model exists, however it was made.</summary>
    public bool HasModel(RunDirectory run) => run.Manifest.Models.TryGetValue(resultKey, out var m) && m.Id is not null;

    /// <summary>What an outside trainer needs for this fine-tune; the model to start from is null while it is itself pending.</summary>
    public PendingFineTune Pending(RunContext ctx)
    {
        string? from = ctx.Run.Manifest.Models.TryGetValue(fromKey, out var m) ? m.Id : null;
        if (fromKey == Runner.BaseModelKey) from ??= ctx.Run.Manifest.Config.BaseModel;
        return PendingFineTune.Of(Request(ctx, from ?? fromKey), from, fromKey);
    }

    private FineTuneRequest Request(RunContext ctx, string from)
    {
        var (file, validation, examples) = input(ctx);
        return new FineTuneRequest(
            from, resultKey, file, validation, examples,
            // Below 10^9 so it survives services whose job seed is a 32-bit integer: a job run through the
            // OpenAI-compatible API then gets the same seed, and the same model, as one run in-process.
            Random.SeededStream.DeriveSeed(ctx.Run.Manifest.Config.Seeds.FinetuningJob, resultKey) % 1_000_000_000);
    }
}
