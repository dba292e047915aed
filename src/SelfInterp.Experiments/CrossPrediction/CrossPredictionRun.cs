using SelfInterp.Analysis;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Summary;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.IO;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments.Preferences.Stages;

namespace SelfInterp.Experiments.CrossPrediction;

/// <summary>
/// A planned cross-prediction run: the preferences stages, then the instilled model's choices on fresh trials of
/// the instilled scenarios (<c>selections_cross_training</c>), the cross model's training set and fine-tune, and
/// the cross model's reports on exactly the questions the instilled model was asked (<c>reports_cross</c>).
/// </summary>
public sealed class CrossPredictionRun : IExperimentRun, IScenarioRun
{
    public const string CrossKey = "cross";
    public const string CrossBaseKey = "cross_base";

    private readonly PreferencesRun _preferences;
    private readonly string? _crossBaseModel;

    public CrossPredictionRun(PreferencesPlan plan, string? crossBaseModel)
    {
        _preferences = new PreferencesRun(plan, CrossPredictionExperiment.ExperimentName);
        _crossBaseModel = crossBaseModel;
        var c = plan.Config;
        var instilled = c.InstilledScenarios.ToList();
        string model = plan.FileModelName;
        string from = crossBaseModel is null ? Runner.BaseModelKey : CrossBaseKey;

        var selections = new SelectionsStage(plan, "selections_cross_training", PreferencesStages.InstilledKey, instilled, c.Examples,
            "cross_training_selections", SeededStream.DeriveSeed(plan.Seeds.Master, "cross_training_selections"), CrossLayout.TrainingSelections(model));
        var set = new CrossTrainingSetStage(plan, selections, CrossLayout.TrainingSelections(model), CrossLayout.TrainingFile(c.Instilled));
        IStage[] cross =
        [
            selections,
            set,
            new FineTuneStage("cross_train", CrossKey, from, [CrossLayout.TrainingFile(c.Instilled)],
                ctx => new FineTuneInput(ctx.Run.File(CrossLayout.TrainingFile(c.Instilled)), null, set.Examples(ctx.Run.Path))),
            // The same trial stream as the instilled model's reports: both models answer the very same prompts.
            new ReportsStage(plan, "reports_cross", CrossKey, CrossLayout.Reports(model), instilled, PaperLayout.VersionInstilled,
                trialStream: "reports_instilled"),
        ];
        var inputs = PreferencesStages.Inputs(c).ToList();
        if (crossBaseModel is not null) inputs.Add(Artifacts.Model(CrossBaseKey));
        Stages = new StageGraph(inputs, _preferences.Stages.Stages.Concat(cross));
    }

    public string Name => CrossPredictionExperiment.ExperimentName;
    public ScenarioCatalog Catalog => _preferences.Catalog;
    public ITaskCodec Codec => _preferences.Codec;
    public StageGraph Stages { get; }

    public void Prepare(RunDirectory run)
    {
        _preferences.Prepare(run);
        if (_crossBaseModel is not null && !run.Manifest.Models.ContainsKey(CrossBaseKey))
            run.Update(m => m.Models[CrossBaseKey] = new ModelRecord { Id = _crossBaseModel });
    }

    public ExperimentOutcome Analyze(string runDirectory)
    {
        var summary = Analyzer.Analyze(runDirectory);
        var result = CrossPredictionAnalysis.Analyze(runDirectory, summary, _preferences.Plan.FileModelName, _preferences.Plan.Seeds.Master);
        // Every warning lands in summary.json: the cross model's file is read here, not by the preferences analysis.
        summary = summary with { Warnings = [.. summary.Warnings, .. result.Warnings] };
        var summaryFile = Path.Combine(runDirectory, PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile);
        AtomicFile.WriteAllText(summaryFile, SummaryJson.Write(summary, json => CrossPredictionOutput.Json(json, result)));
        return PreferencesRun.Outcome(runDirectory, summary, CrossPredictionOutput.Table(result), [CrossPredictionOutput.Section(result)]);
    }
}

/// <summary>The files cross-prediction adds to the paper layout.</summary>
public static class CrossLayout
{
    public static string TrainingSelections(string model) => $"{model}_cross_training_selections.csv";
    public static string TrainingFile(int instilled) => $"cross_{instilled}_choices.jsonl";
    public static string Reports(string model) => $"{model}_cross_weight_reports.csv";
}
