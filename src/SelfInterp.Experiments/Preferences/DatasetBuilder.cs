using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Datasets;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Random;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Experiments.Preferences.Prompts;

namespace SelfInterp.Experiments.Preferences;

/// <summary>The fine-tuning sets of a run, in memory and as the files written for backends that upload them.</summary>
public sealed record PreferencesDatasets(
    string InstillFile, string InstillValidationFile,
    IReadOnlyList<TrainingExample> Instill,
    ItrainSet First, ItrainSet Last, ItrainSet All);

/// <summary>An introspection-training set: one report example per scenario, whose answer is the target weights.</summary>
public sealed record ItrainSet(string File, IReadOnlyList<int> Scenarios, IReadOnlyList<TrainingExample> Examples);

/// <summary>
/// Writes a run's inputs in the paper layout: scenarios.csv, instilled_weights.csv, roles.csv, the instillation
/// JSONL (and its validation file), the three introspection-training JSONL files and target_choices.csv.
/// Everything is a function of the plan's seeds: the same seeds give the same bytes.
/// </summary>
public static class DatasetBuilder
{
    public static string InstillFileName(int n) => $"instill_{n}_prefs.jsonl";
    public static string InstillValidationFileName(int n) => $"instill_{n}_prefs_val.jsonl";
    public static string ItrainFirstFileName(int n) => $"itrain_first_{n / 2}_of_{n}.jsonl";
    public static string ItrainLastFileName(int n) => $"itrain_last_{n / 2}_of_{n}.jsonl";
    public static string ItrainAllFileName(int n) => $"itrain_all_{n}.jsonl";
    public const string RolesFile = "roles.csv";

    /// <summary>Builds the sets in memory and writes their files. Cheap and deterministic, so a resumed run simply rebuilds them.</summary>
    public static PreferencesDatasets Build(PreferencesPlan plan, string dir)
    {
        var c = plan.Config;
        int n = c.Instilled;
        Directory.CreateDirectory(dir);

        ScenariosCsv(plan).WriteTo(Path.Combine(dir, PaperLayout.ScenariosFile));
        RolesCsv(plan).WriteTo(Path.Combine(dir, RolesFile));
        WeightsCsv(plan).WriteTo(Path.Combine(dir, PaperLayout.InstilledWeightsFile));

        // Training trials: scenario by scenario from one stream, then shuffled for the file with another.
        var trainRng = new SeededStream("training_selections", plan.Seeds.TrainingSelections);
        var trainTrials = new List<Trial>();
        foreach (int s in c.InstilledScenarios)
            for (int k = 0; k < c.Examples; k++) trainTrials.Add(plan.DrawTrial(s, trainRng));
        TargetChoicesCsv(plan, trainTrials).WriteTo(Path.Combine(dir, PaperLayout.TargetChoicesFile));

        var instill = plan.Variant.DecisionExamples(plan, PreferencesVariant.TrainingSet, trainTrials).ToList();
        new SeededStream("finetuning_examples", plan.Seeds.FinetuningExamples).Shuffle(instill);

        var valRng = new SeededStream("validation_examples", plan.Seeds.ValidationExamples);
        var valTrials = new List<Trial>();
        foreach (int s in c.InstilledScenarios)
            for (int k = 0; k < c.Validation; k++) valTrials.Add(plan.DrawTrial(s, valRng));
        var validation = plan.Variant.DecisionExamples(plan, PreferencesVariant.ValidationSet, valTrials);

        string instillFile = Path.Combine(dir, InstillFileName(n));
        string valFile = Path.Combine(dir, InstillValidationFileName(n));
        ChatJsonl.Write(instillFile, instill);
        ChatJsonl.Write(valFile, validation);

        var introRng = new SeededStream("introspection_examples", plan.Seeds.IntrospectionExamples);
        var reportPrompts = c.InstilledScenarios.ToDictionary(s => s, s => plan.ReportPrompt(plan.DrawTrial(s, introRng)));
        ItrainSet Set(string name, IEnumerable<int> scenarios)
        {
            var ids = scenarios.ToList();
            // The answers are the target weights, or a sham's (the prompts are the same either way).
            var targets = ShamTargets.For(plan, ids, name);
            var set = new ItrainSet(Path.Combine(dir, name), ids,
                ids.Select(s => new TrainingExample(reportPrompts[s], PromptTemplates.ReportAnswer(plan.Scenario(s), targets[s]))).ToList());
            ChatJsonl.Write(set.File, set.Examples);
            return set;
        }
        var ids = c.InstilledScenarios.ToList();
        var (first, second) = plan.Variant.Halves(ids);
        return new PreferencesDatasets(instillFile, valFile, instill,
            Set(ItrainFirstFileName(n), first),
            Set(ItrainLastFileName(n), second),
            Set(ItrainAllFileName(n), ids));
    }

    /// <summary>The whole catalog in catalog order, keyed by short name, as the published file: row order is the scenario index.</summary>
    public static CsvWriter ScenariosCsv(PreferencesPlan plan)
    {
        var w = new CsvWriter(PaperLayout.ScenarioColumns);
        foreach (var sc in plan.Catalog.Scenarios)
        {
            w.Field(sc.ShortName).Field(sc.Question);
            foreach (var a in sc.Attributes) w.Field(a.Name);
            foreach (var a in sc.Attributes) w.Field(a.Min);
            foreach (var a in sc.Attributes) w.Field(a.Max);
        }
        return w;
    }

    private static CsvWriter RolesCsv(PreferencesPlan plan)
    {
        var w = new CsvWriter(["scenario", "short_name", "role"]);
        foreach (int s in plan.Config.AllScenarios) w.Field(s).Field(plan.Scenario(s).ShortName).Field(plan.RoleOf(s));
        return w;
    }

    private static CsvWriter WeightsCsv(PreferencesPlan plan)
    {
        var w = new CsvWriter(PaperLayout.WeightColumns);
        foreach (int s in plan.Config.InstilledScenarios)
        {
            w.Field(plan.Scenario(s).ShortName);
            foreach (var x in plan.TargetWeights(s)) w.Field(x);
        }
        return w;
    }

    private static CsvWriter TargetChoicesCsv(PreferencesPlan plan, IEnumerable<Trial> trials)
    {
        var w = new CsvWriter(PaperLayout.SelectionColumns);
        foreach (var t in trials)
        {
            w.Field("target").Field(plan.Scenario(t.Scenario).ShortName).Field(Utility.Choice(plan.Scenario(t.Scenario), plan.TargetWeights(t.Scenario), t).ToString());
            WriteValues(w, plan.Scenario(t.Scenario), t);
        }
        return w;
    }

    /// <summary>A trial's ten values, formatted as shown in prompts.</summary>
    public static void WriteValues(CsvWriter w, Scenario scenario, Trial t)
    {
        for (int i = 0; i < Scenario.AttributeCount; i++) w.Field(OptionValues.Format(t.A[i], scenario.Attributes[i]));
        for (int i = 0; i < Scenario.AttributeCount; i++) w.Field(OptionValues.Format(t.B[i], scenario.Attributes[i]));
    }
}
