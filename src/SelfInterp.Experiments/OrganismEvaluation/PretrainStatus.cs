using System.Globalization;
using SelfInterp.Organisms;
using SelfInterp.Core.Csv;

namespace SelfInterp.Experiments.OrganismEvaluation;

public enum PretrainOutcome { Complete, FailedGuard, Incomplete }

/// <summary>
/// What became of one pretraining seed of an evaluation (DIR/pretrain-{seed}/): complete, stopped by the recipe's
/// accuracy guard, or not finished. A seed that failed the guard is counted and shown in the tables, never replaced
/// by another: how often a recipe fails to leave the chance plateau is part of what the recipe is.
/// </summary>
public sealed record PretrainStatus(ulong Seed, string Directory, PretrainOutcome Outcome, string Detail)
{
    /// <summary>Written into a pretraining directory whose accuracy guard stopped it, with the guard's message.
    /// Pretraining is deterministic, so the same command does not try that seed again.</summary>
    public const string FailedFile = "pretrain_failed.txt";
    public const string Prefix = "pretrain-";

    public static string Label(PretrainOutcome o) => o switch
    {
        PretrainOutcome.Complete => "complete",
        PretrainOutcome.FailedGuard => "failed_accuracy_guard",
        _ => "incomplete",
    };

    /// <summary>The status of a pretraining directory. Without either marker file the log decides: a log that ends at
    /// the guard's step with accuracy at or below the guard's is a guard failure (the binary that wrote it stopped
    /// there without a marker); <paramref name="recipe"/> is the recipe it was pretrained from, or null to read the
    /// one saved beside the log.</summary>
    public static PretrainStatus Read(ulong seed, string dir, OrganismRecipe? recipe)
    {
        if (File.Exists(Path.Combine(dir, OrganismEvaluator.CompleteFile))) return new(seed, dir, PretrainOutcome.Complete, "");
        string failed = Path.Combine(dir, FailedFile);
        if (File.Exists(failed)) return new(seed, dir, PretrainOutcome.FailedGuard, File.ReadAllText(failed).Trim());
        string log = Path.Combine(dir, "pretrain_log.csv");
        if (!File.Exists(log)) return new(seed, dir, PretrainOutcome.Incomplete, "no pretrain_log.csv");
        var table = CsvTable.Read(log);
        if (table.Rows.Count == 0) return new(seed, dir, PretrainOutcome.Incomplete, "empty pretrain_log.csv");
        var last = table.Rows[^1];
        int step = last.Int("step");
        double accuracy = last.Double("decision_accuracy");
        recipe ??= File.Exists(Path.Combine(dir, OrganismRecipe.FileName)) ? OrganismRecipe.Load(dir) : null;
        if (recipe?.Curriculum is { AccuracyGuard.Length: 2 } r && step == (int)(r.AccuracyGuard[0] * r.Steps) && accuracy <= r.AccuracyGuard[1])
            return new(seed, dir, PretrainOutcome.FailedGuard,
                string.Create(CultureInfo.InvariantCulture, $"decision accuracy {accuracy:F2} at step {step} of {r.Steps}, not above {r.AccuracyGuard[1]} (from its log)"));
        return new(seed, dir, PretrainOutcome.Incomplete, string.Create(CultureInfo.InvariantCulture, $"its log ends at step {step}{(recipe is null ? "" : $" of {recipe.Curriculum.Steps}")}"));
    }

    /// <summary>Every pretrain-{seed}/ directory of an evaluation, in seed order.</summary>
    public static IReadOnlyList<PretrainStatus> Scan(string evaluationDir, OrganismRecipe? recipe = null)
    {
        if (!System.IO.Directory.Exists(evaluationDir)) return [];
        return System.IO.Directory.GetDirectories(evaluationDir, Prefix + "*")
            .Select(d => (Dir: d, Ok: ulong.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s), Seed: s))
            .Where(x => x.Ok).OrderBy(x => x.Seed)
            .Select(x => Read(x.Seed, x.Dir, recipe is null ? null : recipe with { Seed = x.Seed }))
            .ToList();
    }
}
