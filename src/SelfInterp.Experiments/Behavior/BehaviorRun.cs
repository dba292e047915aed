using SelfInterp.Core.Datasets;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Behavior.Stages;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// A planned behaviour run. Stages: the base model's behaviour and self-reports (the control), then for each model
/// its fine-tune from the base model, its behaviour on held-out questions and its self-reports.
/// </summary>
public sealed class BehaviorRun : IExperimentRun
{
    public BehaviorPlan Plan { get; }
    public BehaviorCodec Codec { get; }
    public StageGraph Stages { get; }

    public BehaviorRun(BehaviorPlan plan)
    {
        Plan = plan;
        Codec = new BehaviorCodec(plan);
        var stages = new List<IStage> { new BehaviourStage(plan, BehaviorLayout.BaseKey, null), new SelfReportStage(plan, Codec, BehaviorLayout.BaseKey, null) };
        foreach (var m in plan.Models)
        {
            string[] files = m.ValidationFile is { } v ? [m.TrainFile, v] : [m.TrainFile];
            stages.Add(new FineTuneStage($"train_{m.Key}", m.Key, Runner.BaseModelKey, files,
                ctx => new FineTuneInput(ctx.Run.File(m.TrainFile), m.ValidationFile is { } f ? ctx.Run.File(f) : null, m.Training)));
            stages.Add(new BehaviourStage(plan, m.Key, m));
            stages.Add(new SelfReportStage(plan, Codec, m.Key, m));
        }
        var inputs = plan.Models.SelectMany(m => m.ValidationFile is { } v ? new[] { m.TrainFile, v } : [m.TrainFile])
            .Select(Artifacts.File).Prepend(Artifacts.Model(Runner.BaseModelKey));
        Stages = new StageGraph(inputs, stages);
    }

    public string Name => BehaviorExperiment.ExperimentName;
    /// <summary>No scenarios are asked about; the catalog is there for backends that load one.</summary>
    ITaskCodec IExperimentRun.Codec => Codec;

    public void Prepare(RunDirectory run)
    {
        DatasetImport.Keep(run, Plan.Config.Datasets);
        foreach (var m in Plan.Models)
        {
            ChatJsonl.Write(run.File(m.TrainFile), m.Training);
            if (m.ValidationFile is { } v) ChatJsonl.Write(run.File(v), m.Validation);
        }
    }

    public ExperimentOutcome Analyze(string runDirectory) => BehaviorOutput.Write(runDirectory, BehaviorAnalysis.Analyze(runDirectory, Plan));
}
