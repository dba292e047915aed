using SelfInterp.Analysis.Data;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;

namespace SelfInterp.Experiments.Behavior;

/// <summary>One model's self-reports on one question kind: mean score (0–100) over paraphrases and samples, and its
/// paired difference from the base model's on the same paraphrases.</summary>
public sealed record SelfReportRow(string Model, string Condition, string Trait, int Seed, string Kind,
    Estimate Score, int Samples, int Unreadable, Estimate MinusBase, IReadOnlyList<double> ByParaphrase);

/// <summary>One model's behaviour on a trait's held-out questions: the share of choices of the high pole's option.</summary>
public sealed record BehaviourRow(string Model, string Condition, string Trait, int Seed, bool Triggered, Estimate ShareHigh, int Unreadable, double MeanProbabilityHigh);

/// <summary>A paired contrast between two groups of models on one question kind, over paraphrases.</summary>
public sealed record Contrast(string Name, string Trait, string Kind, Estimate Difference);

/// <summary>Across a trait's models, the correlation of mean self-rating with measured behaviour.</summary>
public sealed record TraitCorrelation(string Trait, string Kind, Estimate R, IReadOnlyList<(string Model, double Behaviour, double Rating)> Points);

public sealed record BehaviorResult(
    IReadOnlyList<SelfReportRow> SelfReports, IReadOnlyList<BehaviourRow> Behaviour,
    IReadOnlyList<Contrast> Contrasts, IReadOnlyList<TraitCorrelation> Correlations, BehaviorConfig Config)
{
    /// <summary>Rows left out and files without data, each naming its file (and line): in the table, the report and summary.json.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// The behaviour experiment's statistics, from the run's CSV files. A model's score on a question kind is the mean
/// of its paraphrase means (each the mean over that paraphrase's readable samples); its 95% interval is a t interval
/// over paraphrases, which carries the sampling noise within them too. Comparisons are paired by paraphrase: every
/// model answered the same paraphrases, so the difference from the base model, high pole minus low pole (each averaged
/// over seeds) and backdoored minus decorrelated are means of per-paraphrase differences with t intervals; every
/// interval is cut to its scale (0–100 for scores, −100..100 for differences), as none can lie outside it.
/// Hostile rows (issue 24) never enter a number silently: a score that is not a number on the 0–100 scale asked for is
/// unreadable (counted, with a warning naming its line); a row whose key (trait, question, trigger; or trait, kind,
/// paraphrase, sample) repeats an earlier row's is a copy, counted once; a row whose key names a question the run
/// never asked that model (another trait, kind or paraphrase, a sample beyond the run's, a high option other than the
/// question's) is left out and counted; a file with no rows (empty, blank, or a header
/// only) leaves its model without that measure, and a warning says so.
/// </summary>
public static class BehaviorAnalysis
{
    public static BehaviorResult Analyze(string runDir, BehaviorPlan plan)
    {
        var log = new ExclusionLog();
        var models = plan.Models.Select(m => (Key: m.Key, Model: (PlannedModel?)m)).Prepend((BehaviorLayout.BaseKey, null)).ToList();
        var paraphraseMeans = new Dictionary<(string Model, string Trait, string Kind), double[]>();
        var reports = new List<(string Model, string Trait, string Kind, int Samples, int Unreadable)>();
        foreach (var (key, model) in models)
            foreach (var group in ReadSelfReports(Path.Combine(runDir, BehaviorLayout.SelfReportsFile(key)), AskedSelfReports(plan, model), plan.Config.Samples, log).GroupBy(r => (r.Trait, r.Kind)))
            {
                var means = Enumerable.Range(0, SelfReportQuestions.Paraphrases).Select(p =>
                {
                    var scores = group.Where(r => r.Paraphrase == p && r.Score is not null).Select(r => r.Score!.Value).ToList();
                    return scores.Count > 0 ? scores.Average() : double.NaN;
                }).ToArray();
                paraphraseMeans[(key, group.Key.Trait, group.Key.Kind)] = means;
                reports.Add((key, group.Key.Trait, group.Key.Kind, group.Count(), group.Count(r => r.Score is null)));
            }

        var planned = plan.Models.ToDictionary(m => m.Key);
        string ConditionOf(string key) => planned.TryGetValue(key, out var m) ? m.Condition : "base";
        int SeedOf(string key) => planned.TryGetValue(key, out var m) ? m.Seed : 0;

        var rows = reports.Select(r =>
        {
            var mine = paraphraseMeans[(r.Model, r.Trait, r.Kind)];
            var minusBase = r.Model != BehaviorLayout.BaseKey && paraphraseMeans.TryGetValue((BehaviorLayout.BaseKey, r.Trait, r.Kind), out var b)
                ? Estimate.Mean(Paired(mine, b), -100, 100) : Estimate.None;
            return new SelfReportRow(r.Model, ConditionOf(r.Model), r.Trait, SeedOf(r.Model), r.Kind, Estimate.Mean(Finite(mine), 0, 100), r.Samples, r.Unreadable, minusBase, mine);
        }).ToList();

        var behaviour = new List<BehaviourRow>();
        foreach (var (key, model) in models)
            foreach (var g in ReadChoices(Path.Combine(runDir, BehaviorLayout.ChoicesFile(key)), AskedChoices(plan, model), log).GroupBy(c => (c.Trait, c.Triggered)))
            {
                var readable = g.Where(c => c.Selection is 'A' or 'B').ToList();
                double meanP = g.All(c => c.ProbabilityA is not null)
                    ? g.Average(c => c.HighOption == 'A' ? c.ProbabilityA!.Value : 1 - c.ProbabilityA!.Value) : double.NaN;
                behaviour.Add(new BehaviourRow(key, ConditionOf(key), g.Key.Trait, SeedOf(key), g.Key.Triggered,
                    Estimate.Share(readable.Count(c => c.Selection == c.HighOption), readable.Count), g.Count() - readable.Count, meanP));
            }

        var contrasts = new List<Contrast>();
        foreach (var trait in plan.Traits)
            foreach (var kind in new[] { QuestionKinds.Rating, QuestionKinds.Description, QuestionKinds.Choice })
            {
                var high = Group(plan.Models.Where(m => m.Kind == ModelKind.Pole && m.Trait == trait && m.High), trait.Name, kind, paraphraseMeans);
                var low = Group(plan.Models.Where(m => m.Kind == ModelKind.Pole && m.Trait == trait && !m.High), trait.Name, kind, paraphraseMeans);
                if (high is not null && low is not null)
                    contrasts.Add(new Contrast($"{trait.HighPole} - {trait.LowPole}", trait.Name, kind, Estimate.Mean(Paired(high, low), -100, 100)));
            }
        if (plan.Config.Backdoor is { } bd)
        {
            var backdoored = Group(plan.Models.Where(m => m.Kind == ModelKind.Backdoored), bd.Trait, QuestionKinds.Trigger, paraphraseMeans);
            var decorrelated = Group(plan.Models.Where(m => m.Kind == ModelKind.Decorrelated), bd.Trait, QuestionKinds.Trigger, paraphraseMeans);
            if (backdoored is not null && decorrelated is not null)
                contrasts.Add(new Contrast("backdoored - decorrelated", bd.Trait, QuestionKinds.Trigger, Estimate.Mean(Paired(backdoored, decorrelated), -100, 100)));
        }

        var correlations = new List<TraitCorrelation>();
        foreach (var trait in plan.Traits)
        {
            var points = rows.Where(r => r.Trait == trait.Name && r.Kind == QuestionKinds.Rating && (r.Condition == "base" || planned.ContainsKey(r.Model) && planned[r.Model].Kind == ModelKind.Pole))
                .Select(r => (r.Model, Behaviour: behaviour.FirstOrDefault(b => b.Model == r.Model && b.Trait == trait.Name && !b.Triggered)?.ShareHigh.Value ?? double.NaN, Rating: r.Score.Value))
                .Where(p => double.IsFinite(p.Behaviour) && double.IsFinite(p.Rating)).ToList();
            correlations.Add(new TraitCorrelation(trait.Name, QuestionKinds.Rating,
                Estimate.Correlation(points.Select(p => p.Behaviour).ToList(), points.Select(p => p.Rating).ToList()), points));
        }
        foreach (var c in correlations)
        {
            var missing = rows.Where(r => r.Trait == c.Trait && r.Kind == QuestionKinds.Rating && !c.Points.Any(p => p.Model == r.Model)
                && (r.Condition == "base" || planned.ContainsKey(r.Model) && planned[r.Model].Kind == ModelKind.Pole)).Select(r => r.Model).ToList();
            if (missing.Count > 0)
                log.Note(c.Trait, $"the correlation of self-rating with behaviour leaves out {string.Join(", ", missing)} (no measured behaviour or no readable rating)");
        }
        NoteUnlabelledImports(plan, log);
        return new BehaviorResult(rows, behaviour, contrasts, correlations, plan.Config) { Warnings = log.Warnings() };
    }

    /// <summary>
    /// An imported example answered neither A nor B stays text (DatasetImport): a service trains on it, but it
    /// teaches the simulated backend no choice. Kept by rule, so counted here: a silent share of such answers
    /// weakened the trained behaviour unseen.
    /// </summary>
    private static void NoteUnlabelledImports(BehaviorPlan plan, ExclusionLog log)
    {
        foreach (var file in plan.Config.Datasets)
        {
            var examples = plan.Models.FirstOrDefault(m => m.Imported && m.Trait.Pole(m.High) == file.Pole)?.Training ?? [];
            var text = examples.Where(e => e.Answer is not ("A" or "B")).ToList();
            if (text.Count > 0)
                log.Note(file.Path, $"{text.Count} of {examples.Count} answers are neither A nor B (e.g. '{Shorten(text[0].Answer)}'): " +
                                    "kept as text, a service trains on them but the simulated backend learns no choice from them");
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>Per paraphrase, the mean over the group's models (seeds); null when the group has no such reports.</summary>
    private static double[]? Group(IEnumerable<PlannedModel> models, string trait, string kind, Dictionary<(string, string, string), double[]> means)
    {
        var found = models.Select(m => means.GetValueOrDefault((m.Key, trait, kind))).OfType<double[]>().ToList();
        if (found.Count == 0) return null;
        return Enumerable.Range(0, SelfReportQuestions.Paraphrases).Select(p => Finite(found.Select(f => f[p]).ToArray()) is { Count: > 0 } v ? v.Average() : double.NaN).ToArray();
    }

    private static List<double> Paired(double[] x, double[] y) =>
        x.Zip(y, (a, b) => a - b).Where(double.IsFinite).ToList();

    private static List<double> Finite(double[] x) => x.Where(double.IsFinite).ToList();

    private sealed record SelfReportLine(string Trait, string Kind, int Paraphrase, double? Score);
    private sealed record ChoiceLine(string Trait, bool Triggered, char HighOption, char Selection, double? ProbabilityA);

    private static List<SelfReportLine> ReadSelfReports(string path, IReadOnlySet<(string, string, string)> asked, int samples, ExclusionLog log)
    {
        var table = Read(path, BehaviorLayout.SelfReportColumns, log);
        if (table is null) return [];
        var seen = new Dictionary<(string, string, string, string), int>();
        var lines = new List<SelfReportLine>();
        foreach (var r in table.Rows)
        {
            if (!asked.Contains((r["trait"], r["kind"], r["paraphrase"])) || Index(r["sample"]) is < 0 || Index(r["sample"]) >= samples)
            {
                log.Add(path, r.Line, UnaskedReason, $"trait '{r["trait"]}', kind '{r["kind"]}', paraphrase '{r["paraphrase"]}', sample '{r["sample"]}'");
                continue;
            }
            if (!seen.TryAdd((r["trait"], r["kind"], r["paraphrase"], r["sample"]), r.Line))
            {
                log.Add(path, r.Line, "repeats an earlier row's trait, kind, paraphrase and sample (counted once)", $"repeats line {seen[(r["trait"], r["kind"], r["paraphrase"], r["sample"])]}");
                continue;
            }
            lines.Add(new SelfReportLine(r["trait"], r["kind"], r.Int("paraphrase"), Score(r, path, log)));
        }
        return lines;
    }

    /// <summary>The row's score, or null (unreadable) when empty; a value that is not a number in 0..100 is unreadable too, and logged.</summary>
    private static double? Score(CsvRow r, string path, ExclusionLog log)
    {
        var text = r["score"];
        if (text.Length == 0) return null;
        if (r.TryDouble("score", out double v) && v is >= 0 and <= 100) return v;
        log.Add(path, r.Line, "a score that is not a number on the 0–100 scale asked for (unreadable)", $"score '{text}'");
        return null;
    }

    private static List<ChoiceLine> ReadChoices(string path, IReadOnlyDictionary<(string, string, string), string> asked, ExclusionLog log)
    {
        var table = Read(path, BehaviorLayout.ChoiceColumns, log);
        if (table is null) return [];
        var seen = new Dictionary<(string, string, string), int>();
        var lines = new List<ChoiceLine>();
        foreach (var r in table.Rows)
        {
            if (!asked.TryGetValue((r["trait"], r["question"], r["triggered"]), out var high) || r["high_option"] != high)
            {
                log.Add(path, r.Line, UnaskedReason, $"trait '{r["trait"]}', question '{r["question"]}', triggered '{r["triggered"]}', high_option '{r["high_option"]}'");
                continue;
            }
            if (!seen.TryAdd((r["trait"], r["question"], r["triggered"]), r.Line))
            {
                log.Add(path, r.Line, "repeats an earlier row's trait, question and trigger (counted once)", $"repeats line {seen[(r["trait"], r["question"], r["triggered"])]}");
                continue;
            }
            double? p = null;
            if (r["p_a"].Length > 0)
            {
                if (r.TryDouble("p_a", out double v) && v is >= 0 and <= 1) p = v;
                else log.Add(path, r.Line, "p_a is not a probability (left out of the mean probability)", $"p_a '{r["p_a"]}'");
            }
            lines.Add(new ChoiceLine(r["trait"], r.Int("triggered") == 1, Letter(r, "high_option"), Letter(r, "selection"), p));
        }
        return lines;
    }

    private const string UnaskedReason = "is not a question the run asked this model (left out)";

    /// <summary>
    /// The (trait, kind, paraphrase) keys of the self-report questions the plan asks <paramref name="model"/> (null:
    /// the base model), as the files write them. A row with another key once made a measure of its own or moved
    /// another's mean, with exit 0 and no warning.
    /// </summary>
    private static HashSet<(string, string, string)> AskedSelfReports(BehaviorPlan plan, PlannedModel? model) =>
        plan.SelfReportItems(model).Select(q => (q.Trait, q.Kind, q.Paraphrase.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToHashSet();

    /// <summary>The (trait, question, triggered) keys of the behaviour questions the plan asks, each with its high option.</summary>
    private static Dictionary<(string, string, string), string> AskedChoices(BehaviorPlan plan, PlannedModel? model) =>
        plan.BehaviourItems(model).ToDictionary(
            i => (i.Trait.Name, i.Question.ToString(System.Globalization.CultureInfo.InvariantCulture), i.Triggered ? "1" : "0"),
            i => i.Source.HighOption.ToString());

    /// <summary>A whole number 0 or more as our files write it, else −1.</summary>
    private static int Index(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : -1;

    private static char Letter(CsvRow row, string column) => row[column] is { Length: 1 } s ? s[0] : '?';

    /// <summary>The file's table, or null (with a warning) when it holds no rows: empty, blank lines only, or a header only.</summary>
    private static CsvTable? Read(string path, IEnumerable<string> columns, ExclusionLog log)
    {
        if (!File.Exists(path)) throw new DataFileException(path, null, null, "missing: the run has not finished this stage (run the same command to resume it)");
        if (string.IsNullOrWhiteSpace(File.ReadAllText(path)))
        {
            log.Note(path, "the file is empty: this model has no such data");
            return null;
        }
        var table = CsvTable.Read(path);
        table.RequireColumns(columns);
        if (table.Rows.Count == 0)
        {
            log.Note(path, "the file has only a header: this model has no such data");
            return null;
        }
        return table;
    }
}
