using System.Globalization;
using System.Text;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Organisms;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// `evaluate-organism --held-out-family NAME`: the paper's measure on a behaviour family the recipe never reports
/// (<see cref="HeldOutFamily"/>), on the organism of every run of the evaluation at that run's seed. Each run's figures are
/// cached in runs/{organism}-{seed}/held_out_family/{NAME}.json (a resumed evaluation does not measure it again); the
/// tables held_out_family_{NAME}.csv (one row per run), held_out_family_{NAME}_recipe_level.csv (the pretraining seed as
/// the unit, <see cref="RecipeEstimate"/>) and held_out_family_{NAME}.md are written after every run.
/// </summary>
public static class HeldOutFamilyEvaluation
{
    public const string DirectoryName = "held_out_family";

    public static string RecordOf(string runDirectory, string family) => Path.Combine(runDirectory, RelativeRecord(family));
    public static string RelativeRecord(string family) => Path.Combine(DirectoryName, family + ".json");
    public static string RowsFile(string family) => $"held_out_family_{family}.csv";
    public static string RecipeLevelFile(string family) => $"held_out_family_{family}_recipe_level.csv";
    public static string MarkdownFile(string family) => $"held_out_family_{family}.md";

    /// <summary>Refuses a family the evaluation's organisms report in pretraining: its reports would be recall of trained
    /// labels, not a held-out measure.</summary>
    public static void CheckHeldOut(OrganismRecipe recipe, string family, string where)
    {
        var families = recipe.Families.Families ?? [];
        int f = Array.FindIndex(families, x => x.Name == family);
        if (f < 0)
            throw new UsageException($"--held-out-family {family}: {where} has no such family (its families: {(families.Length == 0 ? "none" : string.Join(", ", families.Select(x => x.Name)))})");
        if (f < recipe.Families.Supervised)
            throw new UsageException($"--held-out-family {family}: {where} reports it in pretraining (it is one of the first {recipe.Families.Supervised} families, the supervised ones), so it is not held out");
    }

    public static IReadOnlyList<EvaluationRow> Run(string evaluationDirectory, IReadOnlyList<EvaluationRow> runs, string family, HeldOutFamilySettings settings, int threads, Action<string> log)
    {
        var pretrainings = PretrainStatus.Scan(evaluationDirectory);
        var rows = new List<EvaluationRow>();
        foreach (var run in runs)
        {
            string dir = OrganismEvaluator.RunDirectoryOf(evaluationDirectory, run.Organism, run.RunSeed);
            string record = RecordOf(dir, family);
            bool cached = File.Exists(record);
            HeldOutFamilyResult result;
            if (cached)
            {
                result = HeldOutFamilyResult.FromJson(File.ReadAllText(record), record);
                if (result.Sampling != settings.ToString())
                    throw new UsageException($"{record}: measured with {result.Sampling}; this evaluation asks for {settings}. Give the same settings, or remove the file to measure it again");
            }
            else
            {
                if (EvaluationArchive.IsArchived(dir))
                    throw new UsageException($"{dir}: archived before {family} was measured on it (its models are left out, {EvaluationArchive.MarkFile}): remove the directory to run it again from the start");
                var (organism, instillation) = LoadOrganism(dir, threads);
                CheckHeldOut(organism.Recipe, family, $"{dir}'s organism");
                result = HeldOutFamily.Measure(organism, family, run.RunSeed, settings, instillation, s => log("  " + s));
                Directory.CreateDirectory(Path.GetDirectoryName(record)!);
                AtomicFile.WriteAllText(record, result.ToJson());
            }
            rows.Add(new EvaluationRow(run.Organism, run.PretrainSeed, run.RunSeed, result.Measures()));
            Write(evaluationDirectory, family, rows, pretrainings, settings);
            log($"[held-out family {rows.Count}/{runs.Count}] {run.Organism} run seed {I(run.RunSeed)}: " + (cached ? "measured before; " : $"{result.Seconds:F0} s; ") + result.Describe());
        }
        return rows;
    }

    /// <summary>The tables again from the runs' records, measuring nothing.</summary>
    public static IReadOnlyList<EvaluationRow> Tabulate(string evaluationDirectory, string tablesDirectory, string family)
    {
        string csv = Path.Combine(evaluationDirectory, EvaluationTables.RowsFile);
        if (!File.Exists(csv)) throw new UsageException($"{csv}: no such file: no evaluation to take the held-out family figures of");
        var rows = EvaluationRow.ReadAll(csv)
            .Select(r => (r, record: RecordOf(OrganismEvaluator.RunDirectoryOf(evaluationDirectory, r.Organism, r.RunSeed), family)))
            .Where(x => File.Exists(x.record))
            .Select(x => new EvaluationRow(x.r.Organism, x.r.PretrainSeed, x.r.RunSeed, HeldOutFamilyResult.FromJson(File.ReadAllText(x.record), x.record).Measures()))
            .ToList();
        if (rows.Count == 0)
            throw new UsageException($"{evaluationDirectory}: no run has held-out family figures for {family} (runs/*/{DirectoryName}/{family}.json): run `evaluate-organism --held-out-family {family}` first");
        Write(tablesDirectory, family, rows, PretrainStatus.Scan(evaluationDirectory), null);
        return rows;
    }

    /// <summary>The organism a run was made from (its base model, as the run's manifest names it) and the run's
    /// instillation overrides, which the family's instillation takes as the run's own did.</summary>
    static (Organism, InstillationOptions) LoadOrganism(string runDirectory, int threads)
    {
        string manifestPath = Path.Combine(runDirectory, PaperLayout.RunManifestFile);
        if (!File.Exists(manifestPath)) throw new UsageException($"{runDirectory}: no {PaperLayout.RunManifestFile} (not a run directory of ours)");
        var config = RunManifest.Load(manifestPath).Config;
        var plan = PreferencesPlan.Create(config);
        return (Organism.Load(ShippedOrganisms.DirectoryFor(config), plan.Catalog, new Engine.Transformer.ModelOptions { Threads = threads }),
            InstillationOptions.From(config.BackendOptions));
    }

    static void Write(string directory, string family, IReadOnlyList<EvaluationRow> rows, IReadOnlyList<PretrainStatus> pretrainings, HeldOutFamilySettings? settings)
    {
        Directory.CreateDirectory(directory);
        EvaluationTables.WriteRows(Path.Combine(directory, RowsFile(family)), rows);
        var recipe = RecipeEstimate.All(rows, c => EvaluationRow.IsSummarised(c) && !HeldOutFamilyResult.NotSummarised.Contains(c));
        RecipeTables.WriteRecipeLevel(directory, recipe, new TableOptions { Pretrainings = pretrainings }, RecipeLevelFile(family));
        var md = new StringBuilder($"# Held-out family {family} across the evaluation\n\n");
        md.AppendLine($"The paper's measure on the behaviour family {family}, which the recipe never reports (docs/organism.md, \"A second held-out family\"): " +
                      $"{rows.Count} run(s) of {rows.Select(r => r.Organism).Distinct().Count()} organism(s). Per run: fresh targets from the run seed; the organism's " +
                      "reports of the family's entities before and after an instillation of the targets by behaviour only; accuracy is Pearson r of each entity's mean " +
                      "readable report against the targets (`native_r`: the reports before, against the latents pretraining's behaviour taught). " +
                      (settings is null ? "" : $"Sampling: {settings}. ") + "Every run's figures: " + RowsFile(family) + "; each run's record: runs/*/" + DirectoryName + "/.\n");
        RecipeTables.Estimates(md, recipe, pretrainings);
        AtomicFile.WriteAllText(Path.Combine(directory, MarkdownFile(family)), md.ToString());
    }

    static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
