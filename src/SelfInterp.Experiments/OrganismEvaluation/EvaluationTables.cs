using System.Globalization;
using System.Text;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>Mean, sample sd, min and max of one measure over a set of units (runs, or organisms' means over their runs).</summary>
public sealed record Spread(string Measure, string Scope, int N, double Mean, double Sd, double Min, double Max)
{
    public static Spread Of(string measure, string scope, IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return new Spread(measure, scope, finite.Length, Descriptive.Mean(finite), Descriptive.StandardDeviation(finite),
            finite.Length == 0 ? double.NaN : finite.Min(), finite.Length == 0 ? double.NaN : finite.Max());
    }
}

/// <summary>What the tables show besides the rows: every pretraining seed's outcome (failures included) and the
/// recipe-level effect the power analysis sizes the design for.</summary>
public sealed record TableOptions
{
    public IReadOnlyList<PretrainStatus> Pretrainings { get; init; } = [];
    public double PowerEffect { get; init; } = DefaultPowerEffect;
    public const double DefaultPowerEffect = 0.10;
}

/// <summary>
/// The evaluation's files: evaluation.csv (one row per run), evaluation_summary.csv (per measure: spread across all
/// runs, across pretraining seeds — each organism's mean over its runs — and across the runs of each organism) and
/// evaluation.md (the same, to read). Plain CSV with a header line and empty fields for undefined values, so pandas'
/// read_csv and R's read.csv take them as they are.
/// </summary>
public static class EvaluationTables
{
    public const string RowsFile = "evaluation.csv", SummaryFile = "evaluation_summary.csv", MarkdownFile = "evaluation.md";
    public const string AllRuns = "runs", AcrossPretrainSeeds = "pretrain_seeds";

    /// <summary>Scope of the spread across one organism's runs (its run seeds).</summary>
    public static string RunsOf(string organism) => "runs_of:" + organism;

    public static IReadOnlyList<Spread> Summarise(IReadOnlyList<EvaluationRow> rows)
    {
        var result = new List<Spread>();
        if (rows.Count == 0) return result;
        var organisms = rows.Select(r => r.Organism).Distinct().ToList();
        foreach (var (measure, _) in rows[0].Measures.Where(m => EvaluationRow.IsSummarised(m.Column)))
        {
            result.Add(Spread.Of(measure, AllRuns, rows.Select(r => r[measure]).ToList()));
            result.Add(Spread.Of(measure, AcrossPretrainSeeds,
                organisms.Select(o => Spread.Of(measure, "", rows.Where(r => r.Organism == o).Select(r => r[measure]).ToList()).Mean).ToList()));
            foreach (var o in organisms)
                result.Add(Spread.Of(measure, RunsOf(o), rows.Where(r => r.Organism == o).Select(r => r[measure]).ToList()));
        }
        return result;
    }

    public static void Write(string directory, IReadOnlyList<EvaluationRow> rows, string heading, TableOptions? options = null)
    {
        options ??= new TableOptions();
        Directory.CreateDirectory(directory);
        RecipeTables.WritePretraining(directory, options.Pretrainings);
        if (rows.Count == 0)
        {
            // No run yet (or every seed failed its guard): the design, failures included, is already worth reading.
            var empty = new StringBuilder($"# Organism evaluation\n\n{heading}\n\nNo finished run yet.\n\n");
            RecipeTables.Design(empty, rows, options.Pretrainings);
            AtomicFile.WriteAllText(Path.Combine(directory, MarkdownFile), empty.ToString());
            return;
        }
        WriteRows(Path.Combine(directory, RowsFile), rows);

        var spreads = Summarise(rows);
        var summary = new CsvWriter(["measure", "scope", "n", "mean", "sd", "min", "max"]);
        foreach (var s in spreads)
        {
            summary.Field(s.Measure).Field(s.Scope).Field(s.N);
            foreach (var v in new[] { s.Mean, s.Sd, s.Min, s.Max }) Number(summary, v);
        }
        summary.WriteTo(Path.Combine(directory, SummaryFile));
        var recipe = RecipeEstimate.All(rows);
        RecipeTables.WriteRecipeLevel(directory, recipe, options);
        RecipeTables.WritePower(directory, recipe, options.PowerEffect);
        AtomicFile.WriteAllText(Path.Combine(directory, MarkdownFile), Markdown(rows, spreads, recipe, heading, options));
    }

    /// <summary>One line per run: organism, pretraining seed, run seed, then every measure (empty where undefined),
    /// as <see cref="EvaluationRow.ReadAll"/> reads it back.</summary>
    public static void WriteRows(string path, IReadOnlyList<EvaluationRow> rows)
    {
        var columns = rows[0].Measures.Select(m => m.Column).ToList();
        var csv = new CsvWriter(["organism", "pretrain_seed", "run_seed", .. columns]);
        foreach (var r in rows)
        {
            // A row kept from an archive or an earlier version may have other columns: one file cannot hold both.
            if (!r.Measures.Select(m => m.Column).SequenceEqual(columns))
            {
                var differ = r.Measures.Select(m => m.Column).Except(columns).Concat(columns.Except(r.Measures.Select(m => m.Column))).Take(5).ToList();
                throw new UsageException($"{path}: {r.Organism} run seed {I(r.RunSeed)} has other columns than {rows[0].Organism} run seed {I(rows[0].RunSeed)} " +
                                         $"({(differ.Count == 0 ? "the same in another order" : string.Join(", ", differ))}): their runs were made by different versions or options");
            }
            csv.Field(r.Organism).Field(I(r.PretrainSeed)).Field(I(r.RunSeed));
            foreach (var (_, v) in r.Measures) Number(csv, v);
        }
        csv.WriteTo(path);
    }

    private static string Markdown(IReadOnlyList<EvaluationRow> rows, IReadOnlyList<Spread> spreads, IReadOnlyList<RecipeEstimate> recipe, string heading, TableOptions options)
    {
        var md = new StringBuilder($"# Organism evaluation\n\n{heading}\n\n");
        md.AppendLine($"{rows.Count} runs: {rows.Select(r => r.Organism).Distinct().Count()} organisms × run seeds {string.Join(", ", rows.Select(r => r.RunSeed).Distinct())}. " +
                      "Slopes are the paper's report accuracy (z(learned) on z(mean report)) with their 95% intervals; effects are paired over scenarios " +
                      "unless marked \"paper\" (the paper's interaction model).\n");
        // The design and its power come before any result, as a reader should see them.
        RecipeTables.Design(md, rows, options.Pretrainings);
        RecipeTables.Power(md, rows, recipe, options.PowerEffect);
        RecipeTables.Estimates(md, recipe, options.Pretrainings);
        md.AppendLine("## Across seeds (descriptive)\n");
        md.AppendLine("| measure | runs: mean | sd | min | max | pretraining seeds: mean | sd | min | max |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var group in spreads.GroupBy(s => s.Measure))
        {
            var all = group.Single(s => s.Scope == AllRuns);
            var seeds = group.Single(s => s.Scope == AcrossPretrainSeeds);
            md.AppendLine($"| {group.Key} | {F(all.Mean)} | {F(all.Sd)} | {F(all.Min)} | {F(all.Max)} | {F(seeds.Mean)} | {F(seeds.Sd)} | {F(seeds.Min)} | {F(seeds.Max)} |");
        }
        md.AppendLine("\n## Each run\n");
        // The ridge ceiling beside the held-out reports, and each sham's itraining effect beside the real one, where the rows have them.
        var columns = rows[0].Measures.Select(m => m.Column).ToHashSet();
        var shams = columns.Where(c => c.StartsWith("sham_", StringComparison.Ordinal) && c.EndsWith("_itraining_effect_paired", StringComparison.Ordinal)).ToList();
        string[] shown = ["base_slope", "instilled_slope", "instilled_vs_base_paired", "itrained_held_out_slope", .. columns.Contains("ridge_ceiling_held_out") ? ["ridge_ceiling_held_out"] : Array.Empty<string>(),
            "native_before_slope", "native_after_slope", "itraining_effect_paired", .. shams, "native_effect_paired"];
        md.AppendLine($"| organism | pretrain seed | run seed | instillation r | {string.Join(" | ", shown)} | bad reports | seconds |");
        md.AppendLine($"| --- | --- | --- | --- | {string.Join(" | ", shown.Select(_ => "---"))} | --- | --- |");
        foreach (var r in rows)
            md.AppendLine($"| {r.Organism} | {I(r.PretrainSeed)} | {I(r.RunSeed)} | {F(r["instillation_r"])} | " +
                          string.Join(" | ", shown.Select(c => $"{F(r[c])} [{F(r[c + "_low"])}, {F(r[c + "_high"])}]")) +
                          $" | {F(100 * r["bad_report_share"], "F1")}% | {F(r["run_seconds"], "F0")} |");
        return md.ToString();
    }

    internal static void Number(CsvWriter csv, double v)
    {
        if (double.IsFinite(v)) csv.Field(v); else csv.Empty();
    }

    internal static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
    internal static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
