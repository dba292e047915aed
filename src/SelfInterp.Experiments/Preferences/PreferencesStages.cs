using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Experiments.Preferences.Stages;

namespace SelfInterp.Experiments.Preferences;

/// <summary>
/// The protocol's stages in order (PROTOCOL.md, "The pipeline"): instil, introspection-train three models, the
/// six report conditions, the instilled model's choices on the instilled and the native scenarios, the base model's
/// choices on the instilled scenarios (the positive control).
/// </summary>
public static class PreferencesStages
{
    public const string InstilledKey = "instilled";
    public const string ItrainedFirstKey = "itrained_first";
    public const string ItrainedLastKey = "itrained_last";
    public const string ItrainedAllKey = "itrained_all";

    /// <summary>What the stages read that no stage writes: the base model and the datasets.</summary>
    public static IReadOnlyList<string> Inputs(PreferencesConfig c) =>
    [
        Artifacts.Model(Runner.BaseModelKey),
        DatasetBuilder.InstillFileName(c.Instilled), DatasetBuilder.InstillValidationFileName(c.Instilled),
        DatasetBuilder.ItrainFirstFileName(c.Instilled), DatasetBuilder.ItrainLastFileName(c.Instilled), DatasetBuilder.ItrainAllFileName(c.Instilled),
        PaperLayout.ScenariosFile, PaperLayout.InstilledWeightsFile, PaperLayout.TargetChoicesFile, DatasetBuilder.RolesFile,
    ];

    /// <summary>What the run's report file names state: its instilled scenarios and decision examples per scenario.</summary>
    public static ReportCounts ReportCounts(PreferencesConfig c) => new(c.Instilled, c.Examples);

    /// <param name="data">The datasets, once written (the fine-tunes read them when they run).</param>
    public static IReadOnlyList<IStage> Stages(PreferencesPlan plan, Func<PreferencesDatasets> data)
    {
        var c = plan.Config;
        var instilled = c.InstilledScenarios.ToList();
        var (firstHalf, secondHalf) = plan.Variant.Halves(instilled);
        var native = c.NativeScenarios.ToList();
        string model = plan.FileModelName;
        string n = DatasetBuilder.InstillFileName(c.Instilled);

        FineTuneStage Itrain(string name, string key, string file, Func<PreferencesDatasets, ItrainSet> set) =>
            new(name, key, InstilledKey, [file], _ => new FineTuneInput(set(data()).File, null, set(data()).Examples));
        ReportsStage Reports(string name, string key, ReportCondition condition, IReadOnlyList<int> scenarios, string version) =>
            new(plan, name, key, PaperLayout.Reports(model, condition, ReportCounts(c)), scenarios, version);

        return plan.Variant.Stages(
        [
            new FineTuneStage("instill", InstilledKey, Runner.BaseModelKey, [n, DatasetBuilder.InstillValidationFileName(c.Instilled)],
                _ => new FineTuneInput(data().InstillFile, data().InstillValidationFile, data().Instill)),
            // The instilled model's choices come right after instillation: they show whether it worked (the run's
            // ReplyChecks) before anything else is paid for.
            new SelectionsStage(plan, "selections_instilled", InstilledKey, instilled, c.Selections,
                "validation_selections", plan.Seeds.ValidationSelections, PaperLayout.InstilledSelections(model), checkInstillation: true),
            Reports("reports_base", Runner.BaseModelKey, ReportCondition.Base, instilled, PaperLayout.VersionInstilled),
            Reports("reports_instilled", InstilledKey, ReportCondition.Instilled, instilled, PaperLayout.VersionInstilled),
            Itrain("itrain_first", ItrainedFirstKey, DatasetBuilder.ItrainFirstFileName(c.Instilled), d => d.First),
            Itrain("itrain_last", ItrainedLastKey, DatasetBuilder.ItrainLastFileName(c.Instilled), d => d.Last),
            Itrain("itrain_all", ItrainedAllKey, DatasetBuilder.ItrainAllFileName(c.Instilled), d => d.All),
            Reports("reports_itrained_first", ItrainedFirstKey, ReportCondition.ItrainedFirstHalf, secondHalf, PaperLayout.VersionInstilled),
            Reports("reports_itrained_last", ItrainedLastKey, ReportCondition.ItrainedSecondHalf, firstHalf, PaperLayout.VersionInstilled),
            Reports("reports_native_before", InstilledKey, ReportCondition.NativeBefore, native, PaperLayout.VersionLatent),
            Reports("reports_native_after", ItrainedAllKey, ReportCondition.NativeAfter, native, PaperLayout.VersionLatent),
            new SelectionsStage(plan, "selections_native", InstilledKey, native, c.NativeSelections,
                "native_selections", plan.Seeds.NativeSelections, PaperLayout.LatentSelections(model)),
            // Last, so a run made before it existed resumes by running this stage alone. Its stream is derived from
            // the validation seed, not that stream itself, so the instilled model's selections keep their bytes.
            new SelectionsStage(plan, "selections_base", Runner.BaseModelKey, instilled, c.Selections,
                "base_selections", Core.Random.SeededStream.DeriveSeed(plan.Seeds.ValidationSelections, "base_selections"), PaperLayout.BaseSelections(model)),
        ]);
    }
}
