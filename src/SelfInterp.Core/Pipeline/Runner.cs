using System.Diagnostics;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// Runs an experiment's stages in order. A stage marked done in run.json whose recorded outputs are all on disk
/// unchanged is skipped, so the same command resumes a killed run and restores a deleted or altered output; each
/// stage writes its outputs atomically. Knows no experiment: what to run comes from the
/// <see cref="IExperimentRun"/>.
/// </summary>
public static class Runner
{
    /// <summary>The key of the model every run starts from (run.json's models).</summary>
    public const string BaseModelKey = "base";

    /// <summary>Refuses, before any work, a backend that cannot answer the experiment's tasks.</summary>
    public static void CheckServes(IModelBackend backend, IExperimentRun experiment)
    {
        if (backend.ServedTasks is not { } served) return;
        var missing = TaskCodecs.Unserved(experiment.Codec, served);
        if (missing.Count > 0)
            throw new UsageException(
                $"the {backend.Name} backend cannot serve the '{experiment.Name}' experiment: it does not answer " +
                $"{string.Join(", ", missing)} tasks (it answers {string.Join(", ", served.Select(t => t.Name).Order())})");
    }

    /// <summary>Adds the backend's compute set-up to run.json's list unless it is already the last entry.</summary>
    static void RecordCompute(RunDirectory run, IModelBackend backend)
    {
        if (backend.Compute is not { } compute) return;
        var entry = new SortedDictionary<string, string>(compute.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        if (run.Manifest.Compute is { Count: > 0 } list && list[^1].SequenceEqual(entry)) return;
        run.Update(m => (m.Compute ??= []).Add(entry));
    }

    /// <summary>Runs every stage of <paramref name="stages"/> (default: the whole graph) not yet done.</summary>
    /// <param name="checks">When replies stop the run early (default: <see cref="ReplyChecks.Default"/>).</param>
    public static async Task RunAsync(RunDirectory run, IExperimentRun experiment, IModelBackend backend,
        IRunProgress progress, CancellationToken ct, IReadOnlyList<IStage>? stages = null, ReplyChecks? checks = null)
    {
        CheckServes(backend, experiment);
        RecordCompute(run, backend);
        progress.StartStage("datasets", "Writing the experiment's inputs", 1);
        experiment.Prepare(run);
        progress.EndStage("datasets", skipped: false);
        if (!run.Manifest.Models.ContainsKey(BaseModelKey))
            run.Update(m => m.Models[BaseModelKey] = new ModelRecord { Id = run.Manifest.Config.BaseModel });

        var context = new RunContext(run, backend, progress) { Checks = checks ?? ReplyChecks.Default };
        var graph = experiment.Stages.Stages;
        foreach (var stage in stages ?? graph)
        {
            ct.ThrowIfCancellationRequested();
            string? damaged = null;
            if (run.IsDone(stage.Name))
            {
                damaged = StageOutputs.FirstDamaged(run, stage.Name, stage.Outputs(context));
                if (damaged is null)
                {
                    progress.EndStage(stage.Name, skipped: true);
                    continue;
                }
                progress.Info($"{damaged}; running stage {stage.Name} again (from its cached replies where they exist)");
            }
            var clock = Stopwatch.StartNew();
            try { await stage.RunAsync(context, ct); }
            catch (FineTuneElsewhereException) { throw ExternalFineTunes.AllPending(context, graph); }
            // Bad input (an edited reply, say) keeps its own exception, so it exits 2 with its file and line.
            catch (Exception e) when (damaged is not null && e is not (OperationCanceledException or IO.DataFileException))
            {
                throw new InvalidOperationException($"{damaged}, and running stage {stage.Name} again to restore it failed: {e.Message}", e);
            }
            var outputs = StageOutputs.Hash(run, stage.Outputs(context));
            run.Update(m => m.Stages[stage.Name] = new StageRecord
            {
                Status = "done", Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), Outputs = outputs, Order = IndexOf(graph, stage),
            });
            progress.EndStage(stage.Name, skipped: false);
        }
    }

    private static int IndexOf(IReadOnlyList<IStage> stages, IStage stage)
    {
        for (int i = 0; i < stages.Count; i++) if (ReferenceEquals(stages[i], stage)) return i;
        return stages.Count;
    }
}
