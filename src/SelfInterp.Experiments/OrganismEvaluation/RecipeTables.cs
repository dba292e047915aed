using System.Globalization;
using System.Text;
using SelfInterp.Core.Csv;
using static SelfInterp.Experiments.OrganismEvaluation.EvaluationTables;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// The recipe-level files and sections of an evaluation: pretraining.csv (every pretraining seed and what became of
/// it), recipe_level.csv (<see cref="RecipeEstimate"/> per measure), power.csv (<see cref="SeedPower"/>: pretraining
/// seeds needed per design) and their markdown, which evaluation.md puts before the per-run results.
/// </summary>
public static class RecipeTables
{
    public const string PretrainingFile = "pretraining.csv", RecipeLevelFile = "recipe_level.csv", PowerFile = "power.csv";

    /// <summary>The measures the power analysis sizes the design for: the paired comparisons (each a recipe-level effect).</summary>
    public static bool IsEffect(string measure) => measure.EndsWith("_paired", StringComparison.Ordinal);

    public static void WritePretraining(string directory, IReadOnlyList<PretrainStatus> pretrainings)
    {
        if (pretrainings.Count == 0) return;
        var csv = new CsvWriter(["pretrain_seed", "directory", "status", "detail"]);
        foreach (var p in pretrainings) csv.Field(I(p.Seed)).Field(Path.GetFileName(p.Directory)).Field(PretrainStatus.Label(p.Outcome)).Field(p.Detail);
        csv.WriteTo(Path.Combine(directory, PretrainingFile));
    }

    /// <summary>recipe_level.csv (or another file of the same columns, <paramref name="fileName"/>).</summary>
    public static void WriteRecipeLevel(string directory, IReadOnlyList<RecipeEstimate> estimates, TableOptions options, string fileName = RecipeLevelFile)
    {
        int failed = options.Pretrainings.Count(p => p.Outcome == PretrainOutcome.FailedGuard);
        var csv = new CsvWriter(["measure", "estimate", "low", "high", "standard_error", "between_seed_sd", "within_seed_sd", "icc",
            "pretrain_seeds", "runs", "min_runs_per_seed", "max_runs_per_seed", "pretrain_seeds_failed_guard"]);
        foreach (var e in estimates)
        {
            csv.Field(e.Measure);
            foreach (var v in new[] { e.Estimate, e.Low, e.High, e.StandardError, e.BetweenSeedSd, e.WithinSeedSd, e.Icc }) Number(csv, v);
            csv.Field(e.PretrainSeeds).Field(e.Runs).Field(e.MinRunsPerSeed).Field(e.MaxRunsPerSeed).Field(failed);
        }
        csv.WriteTo(Path.Combine(directory, fileName));
    }

    public static void WritePower(string directory, IReadOnlyList<RecipeEstimate> estimates, double effect)
    {
        var csv = new CsvWriter(["measure", "effect", "between_seed_sd", "within_seed_sd", "run_seeds_per_pretrain_seed", "pretrain_seeds_needed",
            "pretrain_seeds_as_run", "detectable_effect_with_seeds_as_run"]);
        foreach (var e in estimates.Where(e => IsEffect(e.Measure)))
            foreach (int m in SeedPower.RunSeedsPerSeed)
            {
                csv.Field(e.Measure).Field(effect);
                Number(csv, e.BetweenSeedSd);
                Number(csv, e.WithinSeedSd);
                csv.Field(m);
                if (SeedPower.SeedsNeeded(effect, e.BetweenSeedSd, e.WithinSeedSd, m) is int k) csv.Field(k); else csv.Empty();
                csv.Field(e.PretrainSeeds);
                Number(csv, SeedPower.DetectableEffect(e.BetweenSeedSd, e.WithinSeedSd, e.PretrainSeeds, m));
            }
        csv.WriteTo(Path.Combine(directory, PowerFile));
    }

    /// <summary>The design as run: pretraining seeds planned, complete, failed (each named with why), and run seeds.</summary>
    public static void Design(StringBuilder md, IReadOnlyList<EvaluationRow> rows, IReadOnlyList<PretrainStatus> pretrainings)
    {
        md.AppendLine("## Design\n");
        var organisms = rows.GroupBy(r => r.Organism).ToList();
        md.AppendLine(organisms.Count == 0 ? "The unit is the pretraining seed: no organism has a finished run yet."
            : $"The unit is the pretraining seed: {organisms.Count} pretrained organism(s) with runs, " +
              $"{Range(organisms.Min(g => g.Count()), organisms.Max(g => g.Count()))} run seed(s) each ({rows.Count} runs).");
        if (pretrainings.Count > 0)
        {
            var failed = pretrainings.Where(p => p.Outcome == PretrainOutcome.FailedGuard).ToList();
            var incomplete = pretrainings.Where(p => p.Outcome == PretrainOutcome.Incomplete).ToList();
            md.AppendLine($"Pretraining seeds of the recipe: {pretrainings.Count} tried, {pretrainings.Count(p => p.Outcome == PretrainOutcome.Complete)} complete, " +
                          $"**{failed.Count} failed the accuracy guard**{(incomplete.Count > 0 ? $", {incomplete.Count} not finished" : "")} " +
                          "(counted, not replaced by other seeds; pretraining.csv).");
            foreach (var p in failed.Concat(incomplete))
                md.AppendLine($"- {I(p.Seed)}: {PretrainStatus.Label(p.Outcome).Replace('_', ' ')}: {p.Detail}");
        }
        md.AppendLine();
    }

    private static string Percent(double x) => (100 * x).ToString("F0", CultureInfo.InvariantCulture) + "%";
    private static string Range(int min, int max) => min == max ? $"{min}" : $"{min}–{max}";

    /// <summary>Pretraining seeds needed for 80% power at the observed spreads, and this design's power.</summary>
    public static void Power(StringBuilder md, IReadOnlyList<EvaluationRow> rows, IReadOnlyList<RecipeEstimate> estimates, double effect)
    {
        md.AppendLine("## Power (from the observed spreads)\n");
        md.AppendLine($"Pretraining seeds needed to find a recipe-level effect of {effect.ToString("0.###", CultureInfo.InvariantCulture)} with {Percent(SeedPower.TargetPower)} power " +
                      "(two-sided 5% t-test on the seeds' means, the recipe-level interval below), given the between-seed and within-seed sd " +
                      "estimated here, for 1, 2, 3 or 5 run seeds per pretraining seed; the power this design has, and the smallest effect it finds with " +
                      $"{Percent(SeedPower.TargetPower)} power. " +
                      $"\"> {SeedPower.MaxSeeds}\": not within {SeedPower.MaxSeeds} seeds. The spreads are themselves estimates from few seeds.\n");
        md.AppendLine($"| measure | between-seed sd | within-seed sd | {string.Join(" | ", SeedPower.RunSeedsPerSeed.Select(m => $"seeds needed, {m} run seed{(m == 1 ? "" : "s")}"))} | this design | its power | the effect it finds |");
        md.AppendLine($"| --- | --- | --- | {string.Join(" | ", SeedPower.RunSeedsPerSeed.Select(_ => "---"))} | --- | --- | --- |");
        foreach (var e in estimates.Where(e => IsEffect(e.Measure)))
        {
            int m = e.PretrainSeeds == 0 ? 0 : (int)Math.Round((double)e.Runs / e.PretrainSeeds);
            double power = e.PretrainSeeds >= 2 && m >= 1 ? SeedPower.Power(effect, e.BetweenSeedSd, e.WithinSeedSd, e.PretrainSeeds, m) : double.NaN;
            double detectable = SeedPower.DetectableEffect(e.BetweenSeedSd, e.WithinSeedSd, e.PretrainSeeds, m);
            string Needed(int runs) => SeedPower.SeedsNeeded(effect, e.BetweenSeedSd, e.WithinSeedSd, runs) is int k ? k.ToString(CultureInfo.InvariantCulture)
                : double.IsFinite(e.BetweenSeedSd) && double.IsFinite(e.WithinSeedSd) ? $"> {SeedPower.MaxSeeds}" : "–";
            md.AppendLine($"| {e.Measure} | {F(e.BetweenSeedSd)} | {F(e.WithinSeedSd)} | {string.Join(" | ", SeedPower.RunSeedsPerSeed.Select(Needed))} | " +
                          $"{e.PretrainSeeds} × {m} | {(double.IsFinite(power) ? Percent(power) : "–")} | {F(detectable)} |");
        }
        md.AppendLine();
    }

    /// <summary>Each measure at the recipe level, with the seeds that failed the guard beside it.</summary>
    public static void Estimates(StringBuilder md, IReadOnlyList<RecipeEstimate> estimates, IReadOnlyList<PretrainStatus> pretrainings)
    {
        int failed = pretrainings.Count(p => p.Outcome == PretrainOutcome.FailedGuard);
        md.AppendLine("## Recipe level (the pretraining seed as the unit)\n");
        md.AppendLine("Estimate: the mean of the pretraining seeds' means; 95% interval: t on those means with (seeds − 1) degrees of freedom " +
                      "(the random-intercept model's interval); between- and within-seed sd by the method of moments; ICC: the share of " +
                      $"variance between seeds. Seeds that failed the accuracy guard: {failed} (they have no runs, so no value here).\n");
        md.AppendLine("| measure | estimate [95% interval] | between-seed sd | within-seed sd | ICC | pretraining seeds | runs |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var e in estimates)
            md.AppendLine($"| {e.Measure} | {F(e.Estimate)} [{F(e.Low)}, {F(e.High)}] | {F(e.BetweenSeedSd)} | {F(e.WithinSeedSd)} | {F(e.Icc, "F2")} | {e.PretrainSeeds} | {e.Runs} |");
        md.AppendLine();
    }
}
