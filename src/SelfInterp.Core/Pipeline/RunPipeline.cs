using System.Diagnostics;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Layout;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// The protocol's stages in order (PROTOCOL.md, "The pipeline"). A stage marked done in run.json whose recorded
/// outputs are all on disk unchanged is skipped, so the same command resumes a killed run and restores a deleted
/// or altered output; each stage writes its outputs atomically.
/// </summary>
public static class RunPipeline
{
    public const string BaseModelKey = "base";
    public const string InstilledKey = "instilled";
    public const string ItrainedFirstKey = "itrained_first";
    public const string ItrainedLastKey = "itrained_last";
    public const string ItrainedAllKey = "itrained_all";

    /// <summary>The stages that talk to a model; analysis and reporting are appended by the caller. The instilled
    /// model's choices on the instilled scenarios come right after instillation: they show whether it worked (see
    /// <see cref="ReplyChecks"/>) before anything else is paid for.</summary>
    public static IReadOnlyList<IStage> ModelStages(RunConfig c, ReplyChecks? checks = null)
    {
        checks ??= ReplyChecks.Default;
        var instilled = c.InstilledScenarios.ToList();
        var firstHalf = instilled.Take(c.Instilled / 2).ToList();
        var secondHalf = instilled.Skip(c.Instilled / 2).ToList();
        var native = c.NativeScenarios.ToList();
        return
        [
            new FineTuneStage("instill", InstilledKey, BaseModelKey, FineTuneKind.Decisions, d => (d.InstillFile, d.InstillValidationFile, d.Instill)),
            new SelectionsStage("selections_instilled", instilled, c.Selections, SelectionsKind.Instilled, checks),
            new ReportsStage("reports_base", BaseModelKey, ReportCondition.Base, instilled, PaperLayout.VersionInstilled, checks),
            new ReportsStage("reports_instilled", InstilledKey, ReportCondition.Instilled, instilled, PaperLayout.VersionInstilled, checks),
            new FineTuneStage("itrain_first", ItrainedFirstKey, InstilledKey, FineTuneKind.Reports, d => (d.First.File, null, d.First.Examples)),
            new FineTuneStage("itrain_last", ItrainedLastKey, InstilledKey, FineTuneKind.Reports, d => (d.Last.File, null, d.Last.Examples)),
            new FineTuneStage("itrain_all", ItrainedAllKey, InstilledKey, FineTuneKind.Reports, d => (d.All.File, null, d.All.Examples)),
            new ReportsStage("reports_itrained_first", ItrainedFirstKey, ReportCondition.ItrainedFirstHalf, secondHalf, PaperLayout.VersionInstilled, checks),
            new ReportsStage("reports_itrained_last", ItrainedLastKey, ReportCondition.ItrainedSecondHalf, firstHalf, PaperLayout.VersionInstilled, checks),
            new ReportsStage("reports_native_before", InstilledKey, ReportCondition.NativeBefore, native, PaperLayout.VersionLatent, checks),
            new ReportsStage("reports_native_after", ItrainedAllKey, ReportCondition.NativeAfter, native, PaperLayout.VersionLatent, checks),
            new SelectionsStage("selections_native", native, c.NativeSelections, SelectionsKind.Native, checks),
            // Last, so a run made before it existed resumes by running this stage alone.
            new SelectionsStage("selections_base", instilled, c.Selections, SelectionsKind.Base, checks),
        ];
    }

    /// <summary>Runs every stage not yet done. Returns the context, for callers that go on (analysis).</summary>
    public static Task<RunContext> RunAsync(RunDirectory run, IModelBackend backend, IReadOnlyList<IStage> stages,
        IRunProgress progress, CancellationToken ct) =>
        RunAsync(run, ExperimentPlan.Create(run.Manifest.Config), backend, stages, progress, ct);

    /// <summary>As above, with the plan already made from the run's config (the CLI makes it first, to check the
    /// input before the run directory exists; RunDirectory.OpenOrCreate has checked that the configs agree).</summary>
    public static async Task<RunContext> RunAsync(RunDirectory run, ExperimentPlan plan, IModelBackend backend, IReadOnlyList<IStage> stages,
        IRunProgress progress, CancellationToken ct)
    {
        progress.StartStage("datasets", "Writing scenarios, weights and fine-tuning files", 1);
        var data = Datasets.DatasetBuilder.Build(plan, run.Path);
        progress.EndStage("datasets", skipped: false);
        if (!run.Manifest.Models.ContainsKey(BaseModelKey))
            run.Update(m => m.Models[BaseModelKey] = new ModelRecord { Id = run.Manifest.Config.BaseModel });

        var context = new RunContext(run, plan, data, backend, progress);
        foreach (var stage in stages)
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
            catch (FineTuneElsewhereException) { throw ExternalFineTunes.AllPending(context, stages); }
            catch (Exception e) when (damaged is not null && e is not OperationCanceledException)
            {
                throw new InvalidOperationException($"{damaged}, and running stage {stage.Name} again to restore it failed: {e.Message}", e);
            }
            var outputs = StageOutputs.Hash(run, stage.Outputs(context));
            run.Update(m => m.Stages[stage.Name] = new StageRecord { Status = "done", Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), Outputs = outputs });
            progress.EndStage(stage.Name, skipped: false);
        }
        return context;
    }
}
