using System.Globalization;
using SelfInterp.Organisms;
using SelfInterp.Core.Csv;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Random;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.WhiteBox;

/// <summary>The wrapper test by reverse fine-tuning (after Jain et al. 2024): train the changed model back on the behaviour
/// it replaced and count the steps until that behaviour returns, beside a control that never had it, trained on the same
/// data with the same settings. Choices: the instilled model trained on the base model's choices (instillation's settings).
/// Reports: the itrained model trained on the instilled model's reports (introspection training's settings). The control
/// is the changed model with the instilled scenarios' names drawn afresh, as pretraining draws never-trained names: it has
/// the same body but has never held the original model's preferences, or reports, on those names.</summary>
public static class ReverseStudy
{
    public const string FileName = "reverse_ft.csv";
    public static readonly string[] Columns = ["direction", "model", "measure", "step", "fraction", "units", "value", "low", "high"];
    public static readonly int[] DefaultSteps = [0, 5, 10, 25, 50, 100];
    /// <summary>Introspection training's report examples per scenario (one trial each: DatasetBuilder's itrain sets).</summary>
    public const int ItrainExamplesPerScenario = 1;

    /// <param name="Trials">Fresh measurement trials per scenario (choice weights are read from them).</param>
    /// <param name="Reports">Of those, trials whose report prompt is decoded.</param>
    public sealed record Settings(int Trials, int Reports, IReadOnlyList<int> Steps, double Fraction);

    public static List<ReverseRow> Run(LabRun run, Settings settings, Action<string>? log = null)
    {
        var plan = run.Plan;
        ulong seed = plan.Seeds.Master;
        var scenarios = plan.Config.InstilledScenarios.ToList();
        var instillation = InstillationOptions.From(plan.Run.BackendOptions);
        var measure = scenarios.ToDictionary(s => s, s => LabTrials.Draw(plan, s, settings.Trials, "reverse"));
        var (baseModel, instilled, itrained) = (run.Organism("base"), run.Organism("instilled"), run.Organism("itrained"));
        var rows = new List<ReverseRow>();

        // Choices: the base model's own choices (its more likely answer) on fresh trials, as many per scenario as instillation had.
        var train = scenarios.SelectMany(s => LabTrials.Draw(plan, s, plan.Config.Examples, "reverse_train")).ToList();
        var baseLogits = Observer(baseModel, plan).DecisionLogits(train);
        var choices = new Reversal(OrganismFineTuning.For(baseModel.Recipe, instillation, decisions: true),
            train.Select((t, i) => (baseModel.Percept.Decision(t), baseModel.Percept.DecisionAnswer(baseLogits[i] > 0 ? 'A' : 'B'))).ToList(),
            organism => ChoiceWeights.Of(Observer(organism, plan), plan, measure));
        rows.AddRange(Direction("choices", "instilled", choices, baseModel, instilled, plan, settings, seed, log));

        // Reports: the instilled model's own reports on fresh trials, as many per scenario as introspection training had.
        var reportTrials = scenarios.SelectMany(s => LabTrials.Draw(plan, s, ItrainExamplesPerScenario, "reverse_train_reports")).ToList();
        var replies = Observer(instilled, plan).Reports(reportTrials);
        var reportExamples = reportTrials.Select((t, i) => (Trial: t, Weights: replies[i])).Where(x => x.Weights is not null)
            .Select(x => (instilled.Percept.Report(x.Trial), instilled.Percept.ReportAnswer(x.Trial.Scenario, x.Weights!.Select(w => (int)Math.Round(w)).ToArray()))).ToList();
        log?.Invoke($"reverse fine-tuning reports: {reportExamples.Count} of {reportTrials.Count} of the instilled model's reports parse");
        var reports = new Reversal(OrganismFineTuning.For(instilled.Recipe, instillation, decisions: false), reportExamples,
            organism => ReportedWeights(Observer(organism, plan), measure, settings.Reports),
            itrained.Recipe.Introspection.Replay, (organism, rng) => new ReportReplay(organism, plan.Catalog, rng));
        rows.AddRange(Direction("reports", "itrained", reports, instilled, itrained, plan, settings, seed, log));
        return rows;
    }

    static IEnumerable<ReverseRow> Direction(string direction, string changedName, Reversal reversal, Organism original, Organism changed,
        PreferencesPlan plan, Settings settings, ulong seed, Action<string>? log)
    {
        var control = ControlOf(changed, plan, seed);
        var target = reversal.Behaviour(original);
        var treatedCurve = reversal.Curve(changed, settings.Steps, direction, seed, m => log?.Invoke($"{changedName}: {m}"));
        var controlCurve = reversal.Curve(control, settings.Steps, direction, seed, m => log?.Invoke($"control: {m}"));
        return RevivalMeasure.Rows(direction, changedName, target, treatedCurve, controlCurve, settings.Fraction, seed);
    }

    /// <summary>The control: the changed model with the instilled scenarios' name embeddings drawn afresh (stream
    /// "whitebox:reverse:control_names"), as pretraining draws names it never trained. Everything else is the changed model's.</summary>
    public static Organism ControlOf(Organism changed, PreferencesPlan plan, ulong seed)
    {
        var control = Reversal.Copy(changed);
        Pretraining.ResetUnfamiliarNames(control, plan.Catalog, Pretraining.TrainedScenarios(control.Recipe, plan.Catalog),
            new SeededStream("whitebox:reverse:control_names", seed), control.Recipe.Corpus.UnfamiliarNameNoise, plan.Config.InstilledScenarios.ToHashSet(),
            fullCovariance: control.Recipe.Corpus.UnfamiliarNameCovariance);
        return control;
    }

    static Observer Observer(Organism organism, PreferencesPlan plan) => new(new OrganismSubject(organism), plan.Catalog, plan.Config.ReportMaxTokens);

    /// <summary>Reported weights per scenario, averaged over the first <paramref name="reports"/> trials' parsed reports
    /// (scenarios where none parses are left out).</summary>
    public static Dictionary<int, double[]> ReportedWeights(Observer observer, Dictionary<int, List<Trial>> draws, int reports)
    {
        var trials = draws.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Take(reports)).ToList();
        var replies = observer.Reports(trials);
        return trials.Select((t, i) => (t.Scenario, Reply: replies[i])).Where(x => x.Reply is not null).GroupBy(x => x.Scenario)
            .ToDictionary(g => g.Key, g => Enumerable.Range(0, Scenario.AttributeCount).Select(a => g.Average(x => x.Reply![a])).ToArray());
    }

    public static void Write(string path, IEnumerable<ReverseRow> rows)
    {
        var w = new CsvWriter(Columns);
        foreach (var r in rows)
        {
            w.Field(r.Direction).Field(r.Model).Field(r.Measure);
            Number(r.Step);
            Number(r.Fraction);
            w.Field(r.Units);
            foreach (var v in new[] { r.Value, r.Low, r.High }) Number(v);
        }
        w.WriteTo(path);

        // Empty for "does not apply" (NaN), Inf for "not within the schedule": both read as such by pandas and R.
        void Number(double v)
        {
            if (double.IsNaN(v)) w.Empty();
            else if (double.IsPositiveInfinity(v)) w.Field("Inf");
            else w.Field(Math.Round(v, 4));
        }
    }

    public static List<ReverseRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var table = CsvTable.Read(path);
        table.RequireColumns(Columns);
        static double D(CsvRow row, string c) => row[c] == "Inf" ? double.PositiveInfinity : row.TryDouble(c, out var v) ? v : double.NaN;
        return table.Rows.Select(r => new ReverseRow(r["direction"], r["model"], r["measure"], D(r, "step"), D(r, "fraction"), r.Int("units"),
            D(r, "value"), D(r, "low"), D(r, "high"))).ToList();
    }

    /// <summary>The headline: per direction and model, r with the original behaviour at the start and at the last step,
    /// and the steps to revive the fraction, with intervals.</summary>
    public static IEnumerable<string> Headline(IReadOnlyList<ReverseRow> rows)
    {
        var summaries = rows.Where(r => r.Measure == "steps_to_revive").ToList();
        if (summaries.Count == 0) yield break;
        double last = rows.Where(r => r.Measure == "r_with_original").Max(r => r.Step);
        yield return $"| direction | model | r at step 0 | r at step {Format.Number(last)} | steps to revive {Format.Number(summaries[0].Fraction)} [95%] |";
        yield return "|---|---|---|---|---|";
        foreach (var s in summaries)
        {
            ReverseRow? R(double step) => rows.FirstOrDefault(r => r.Direction == s.Direction && r.Model == s.Model && r.Measure == "r_with_original" && r.Step == step);
            yield return $"| {s.Direction} | {s.Model} | {Format.Interval(R(0))} | {Format.Interval(R(last))} | {Format.Steps(s.Value)} [{Format.Steps(s.Low)}, {Format.Steps(s.High)}] |";
        }
    }

    static class Format
    {
        public static string Number(double v) => double.IsFinite(v) ? v.ToString("0.##", CultureInfo.InvariantCulture) : "n/a";
        public static string Two(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
        public static string Steps(double v) => double.IsPositiveInfinity(v) ? "not reached" : double.IsFinite(v) ? v.ToString("0.#", CultureInfo.InvariantCulture) : "n/a";
        public static string Interval(ReverseRow? r) => r is null ? "n/a" : $"{Two(r.Value)} [{Two(r.Low)}, {Two(r.High)}]";
    }
}
