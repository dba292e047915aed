using System.Globalization;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.WhiteBox;

/// <summary>Which runs of an evaluation the lab measures (null: every run seed; else only runs at these run seeds, e.g.
/// one per pretraining seed to bound the cost) and how.</summary>
public sealed record WhiteBoxPlan(LabSettings Lab, IReadOnlyList<ulong>? RunSeeds = null, int Threads = 1);

/// <summary>
/// `evaluate-organism --white-box`: the lab (<see cref="EvaluationLab"/>) on the runs of an evaluation, each run's key
/// figures one row of white_box.csv, summarised at the recipe level by the evaluation's own machinery (the pretraining
/// seed as the unit: <see cref="RecipeEstimate"/>) into white_box_recipe_level.csv and white_box.md
/// (<see cref="WhiteBoxTables"/>). The tables are written after every run, so a stopped pass keeps what it has.
/// </summary>
public static class WhiteBoxEvaluation
{
    /// <summary>Measures (or reads from its cache) every selected run of <paramref name="runs"/> (the evaluation's rows).</summary>
    public static IReadOnlyList<EvaluationRow> Run(string evaluationDirectory, IReadOnlyList<EvaluationRow> runs, WhiteBoxPlan plan, Action<string> log)
    {
        var selected = Select(runs, plan.RunSeeds);
        var pretrainings = PretrainStatus.Scan(evaluationDirectory);
        var rows = new List<EvaluationRow>();
        foreach (var run in selected)
        {
            string dir = OrganismEvaluator.RunDirectoryOf(evaluationDirectory, run.Organism, run.RunSeed);
            if (!EvaluationLab.IsMeasured(dir) && EvaluationArchive.IsArchived(dir))
                throw new UsageException($"{dir}: archived before the lab ran on it (its models are left out, {EvaluationArchive.MarkFile}): remove the directory to run it again from the start, or leave out --white-box");
            var (measures, cached) = EvaluationLab.Measure(dir, plan.Lab, plan.Threads, s => log("  " + s));
            var row = new EvaluationRow(run.Organism, run.PretrainSeed, run.RunSeed, measures);
            rows.Add(row);
            WhiteBoxTables.Write(evaluationDirectory, rows, pretrainings, plan.Lab);
            log($"[white box {rows.Count}/{selected.Count}] {run.Organism} run seed {I(run.RunSeed)}: " +
                (cached ? "measured before (white_box/lab.json)" : $"{row[WhiteBoxMeasures.SecondsColumn]:F0} s ({row[WhiteBoxMeasures.CpuSecondsColumn]:F0} s of CPU)") +
                $"; probe r at the last hook: instilled {F(row["probe_instilled_last_learned_r"])}, untrained body {F(row["probe_untrained_body_last_learned_r"])}; " +
                $"held-out read-out cosine {F(row["readout_itrained_held_out_last_cosine"])}; grounding ratio instilled {F(row["steer_instilled_grounding_ratio"])}, " +
                $"held out {F(row["steer_itrained_held_out_grounding_ratio"])}");
        }
        return rows;
    }

    /// <summary>The white-box tables again from the runs' caches, measuring nothing: every run of the evaluation.csv of
    /// <paramref name="evaluationDirectory"/> (at the selected run seeds) whose white_box/lab.json exists.</summary>
    public static IReadOnlyList<EvaluationRow> Tabulate(string evaluationDirectory, string tablesDirectory, IReadOnlyList<ulong>? runSeeds)
    {
        string csv = Path.Combine(evaluationDirectory, EvaluationTables.RowsFile);
        if (!File.Exists(csv)) throw new UsageException($"{csv}: no such file: no evaluation to take the white-box figures of");
        var measured = Select(EvaluationRow.ReadAll(csv), runSeeds)
            .Where(r => EvaluationLab.IsMeasured(OrganismEvaluator.RunDirectoryOf(evaluationDirectory, r.Organism, r.RunSeed))).ToList();
        if (measured.Count == 0)
            throw new UsageException($"{evaluationDirectory}: no run has white-box figures (runs/*/{EvaluationLab.DirectoryName}/{EvaluationLab.RecordFile}): run `evaluate-organism --white-box` first");
        var rows = measured.Select(r => new EvaluationRow(r.Organism, r.PretrainSeed, r.RunSeed,
            EvaluationLab.Load(OrganismEvaluator.RunDirectoryOf(evaluationDirectory, r.Organism, r.RunSeed)))).ToList();
        var settings = measured.Select(r => EvaluationLab.Read(OrganismEvaluator.RunDirectoryOf(evaluationDirectory, r.Organism, r.RunSeed)).Settings).Distinct().ToList();
        if (settings.Count > 1)
            throw new UsageException($"{evaluationDirectory}: the runs' white_box/lab.json record different lab settings ({string.Join("; ", settings)}): one table cannot mix them");
        WhiteBoxTables.Write(tablesDirectory, rows, PretrainStatus.Scan(evaluationDirectory), settings[0]);
        return rows;
    }

    /// <summary>The runs at the selected run seeds; a selected seed with no run is refused (a typo would otherwise measure nothing).</summary>
    static List<EvaluationRow> Select(IReadOnlyList<EvaluationRow> runs, IReadOnlyList<ulong>? runSeeds)
    {
        if (runSeeds is null) return [.. runs];
        var missing = runSeeds.Where(s => runs.All(r => r.RunSeed != s)).ToList();
        if (missing.Count > 0)
            throw new UsageException($"--white-box-run-seeds: no run at run seed {string.Join(", ", missing.Select(I))} (the evaluation's run seeds: {string.Join(", ", runs.Select(r => r.RunSeed).Distinct().Select(I))})");
        return runs.Where(r => runSeeds.Contains(r.RunSeed)).ToList();
    }

    static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
    static string F(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "–";
}
