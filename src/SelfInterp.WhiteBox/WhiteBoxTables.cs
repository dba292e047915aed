using System.Globalization;
using System.Text;
using SelfInterp.Core.IO;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.WhiteBox;

/// <summary>
/// The white-box files of an evaluation, beside its own: white_box.csv (one row per measured run, the columns of
/// <see cref="WhiteBoxMeasures"/>; empty fields where undefined, as evaluation.csv), white_box_recipe_level.csv (the
/// columns of recipe_level.csv: each summarised measure with the pretraining seed as the unit, by
/// <see cref="RecipeEstimate"/>) and white_box.md (the same, to read).
/// </summary>
public static class WhiteBoxTables
{
    public const string RowsFile = "white_box.csv", RecipeLevelFile = "white_box_recipe_level.csv", MarkdownFile = "white_box.md";

    /// <summary>The figures each run's line of white_box.md shows (white_box.csv has them all).</summary>
    static readonly string[] Shown =
    [
        "probe_instilled_last_learned_r", "probe_untrained_body_last_learned_r", "probe_base_last_target_r", "report_itrained_held_out_learned_r",
        "readout_instilled_last_cosine", "readout_itrained_held_out_last_cosine", "steer_instilled_grounding_ratio", "steer_itrained_held_out_grounding_ratio",
    ];

    public static IReadOnlyList<RecipeEstimate> RecipeLevel(IReadOnlyList<EvaluationRow> rows) => RecipeEstimate.All(rows, WhiteBoxMeasures.IsSummarised);

    public static void Write(string directory, IReadOnlyList<EvaluationRow> rows, IReadOnlyList<PretrainStatus> pretrainings, LabSettings settings)
    {
        if (rows.Count == 0) return;
        Directory.CreateDirectory(directory);
        EvaluationTables.WriteRows(Path.Combine(directory, RowsFile), rows);
        var recipe = RecipeLevel(rows);
        RecipeTables.WriteRecipeLevel(directory, recipe, new TableOptions { Pretrainings = pretrainings }, RecipeLevelFile);
        AtomicFile.WriteAllText(Path.Combine(directory, MarkdownFile), Markdown(rows, recipe, pretrainings, settings));
    }

    static string Markdown(IReadOnlyList<EvaluationRow> rows, IReadOnlyList<RecipeEstimate> recipe, IReadOnlyList<PretrainStatus> pretrainings, LabSettings settings)
    {
        var organisms = rows.GroupBy(r => r.Organism).ToList();
        var md = new StringBuilder("# White-box lab across the evaluation\n\n");
        md.AppendLine($"The lab on {rows.Count} run(s): {organisms.Count} pretrained organism(s), run seed(s) {string.Join(", ", rows.Select(r => I(r.RunSeed)).Distinct())}; " +
                      "held out (itrained_first and itrained_last each on the instilled half it never saw; `itrained_held_out` is the mean of the two), " +
                      $"with the untrained-body control. {settings.Trials} fresh trials a scenario, reports decoded on {settings.Reports}, {settings.NullDraws} draws of every null " +
                      $"(so a p-value is at least 1/{settings.NullDraws + 1}); steering at {string.Join(", ", InterventionStudy.DefaultSteer)} weight points. " +
                      "Columns: docs/white-box.md (\"The lab on every pretraining seed\"); every run's figures: white_box.csv; each run's lab: runs/*/white_box/.\n");
        md.AppendLine($"Cost per run: {F(Mean(rows, WhiteBoxMeasures.SecondsColumn), "F0")} s wall, {F(Mean(rows, WhiteBoxMeasures.CpuSecondsColumn), "F0")} s of CPU on average " +
                      "(as measured when each run's lab ran).\n");
        RecipeTables.Estimates(md, recipe, pretrainings);
        md.AppendLine("## Each run (key figures)\n");
        md.AppendLine($"| organism | pretrain seed | run seed | {string.Join(" | ", Shown)} |");
        md.AppendLine($"| --- | --- | --- | {string.Join(" | ", Shown.Select(_ => "---"))} |");
        foreach (var r in rows)
            md.AppendLine($"| {r.Organism} | {I(r.PretrainSeed)} | {I(r.RunSeed)} | {string.Join(" | ", Shown.Select(c => F(r[c], "F3")))} |");
        return md.ToString();
    }

    static double Mean(IReadOnlyList<EvaluationRow> rows, string column) =>
        rows.Select(r => r[column]).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
    static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
