using SelfInterp.Analysis;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Backdoor.Stages;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// A planned backdoor run: the protocol's instillation (on the backdoor's examples), then the instilled model's
/// choices and reports with and without the trigger, a decorrelated control (fine-tuned from the base model on the
/// same trials, the trigger in the same ones, every answer by the untriggered weights), and the phrase question to
/// both models.
/// </summary>
public sealed class BackdoorRun : IExperimentRun, IScenarioRun
{
    public const string ControlKey = "control";
    public const int PhraseSamples = 10;
    private readonly PreferencesRun _preferences;

    public BackdoorPlan Plan { get; }
    public string Name => BackdoorExperiment.ExperimentName;
    public ScenarioCatalog Catalog => Plan.Preferences.Catalog;
    public BackdoorCodec Codec { get; }
    ITaskCodec IExperimentRun.Codec => Codec;
    public StageGraph Stages { get; }

    public BackdoorRun(BackdoorPlan plan)
    {
        Plan = plan;
        _preferences = new PreferencesRun(plan.Preferences, BackdoorExperiment.ExperimentName);
        Codec = new BackdoorCodec(plan.Preferences.Catalog, _preferences.Codec, plan.Settings.Trigger);
        string model = plan.Preferences.FileModelName;
        string control = ControlFileName(plan.Preferences.Config.Instilled);
        Stages = new StageGraph([.. PreferencesStages.Inputs(plan.Preferences.Config), control],
        [
            .. _preferences.Stages.Stages,
            new StateSelectionsStage(plan, "selections_states", PreferencesStages.InstilledKey, BackdoorLayout.Selections(model)),
            new StateReportsStage(plan, "reports_states", PreferencesStages.InstilledKey, BackdoorLayout.Reports(model)),
            new FineTuneStage("instill_control", ControlKey, Runner.BaseModelKey, [control],
                run => new FineTuneInput(run.Run.File(control), null, ControlExamples())),
            new PhraseQuestionStage(Codec, "phrase_backdoored", PreferencesStages.InstilledKey, BackdoorLayout.PhraseAnswers(PreferencesStages.InstilledKey), PhraseSamples),
            new PhraseQuestionStage(Codec, "phrase_control", ControlKey, BackdoorLayout.PhraseAnswers(ControlKey), PhraseSamples),
        ]);
    }

    public static string ControlFileName(int n) => $"instill_{n}_control.jsonl";

    /// <summary>The control's examples: the instillation's prompts (trigger where it was), answered by the untriggered weights.</summary>
    private List<Core.Backends.TrainingExample> ControlExamples() => _preferences.Data.Instill.Select(e =>
        e with { Answer = Plan.TargetChoice(((BackdoorChoiceTask)e.Prompt.Task!).Choice.Trial, false).ToString() }).ToList();

    public void Prepare(RunDirectory run)
    {
        _preferences.Prepare(run);
        var p = Plan.Preferences;
        // The authors' scenarios.csv: the catalog with has_flips.
        var w = new CsvWriter([.. PaperLayout.ScenarioColumns, BackdoorLayout.HasFlipsColumn]);
        for (int s = 0; s < p.Catalog.Scenarios.Count; s++)
        {
            var sc = p.Catalog.Scenarios[s];
            w.Field(sc.ShortName).Field(sc.Question);
            foreach (var a in sc.Attributes) w.Field(a.Name);
            foreach (var a in sc.Attributes) w.Field(a.Min);
            foreach (var a in sc.Attributes) w.Field(a.Max);
            w.Field(BackdoorLayout.Flag(Plan.Backdoored.Contains(s)));
        }
        w.WriteTo(run.File(PaperLayout.ScenariosFile));
        if (Plan.Settings.TriggeredPreference == BackdoorSettings.Independent)
        {
            var t = new CsvWriter(PaperLayout.WeightColumns);
            foreach (int s in Plan.Backdoored.Order())
            {
                t.Field(p.Scenario(s).ShortName);
                foreach (var x in Plan.TriggeredTargets(s)) t.Field(x);
            }
            t.WriteTo(run.File(BackdoorLayout.TriggeredWeightsFile));
        }
        ChatJsonl.Write(run.File(ControlFileName(p.Config.Instilled)), ControlExamples());
    }

    public ExperimentOutcome Analyze(string runDirectory) => Analyze(runDirectory, AnalysisOptions.Default);

    /// <summary>The backdoor analysis of a folder in the backdoor layout (a run of ours or the authors' pilot files).</summary>
    public static ExperimentOutcome Analyze(string directory, AnalysisOptions options)
    {
        var data = BackdoorData.Read(directory);
        var measures = BackdoorAnalysis.Measure(data, options,
            Path.Combine(directory, BackdoorLayout.PhraseAnswers(PreferencesStages.InstilledKey)),
            Path.Combine(directory, BackdoorLayout.PhraseAnswers(ControlKey)));
        return BackdoorOutput.Write(measures, options.OutputDirectory ?? directory);
    }
}
