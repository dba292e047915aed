using System.Globalization;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Experiments;
using SelfInterp.Backends;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.CrossPrediction;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>What to evaluate: organisms (shipped names or directories) and/or a recipe pretrained at several seeds,
/// each run on the paper's protocol at every run seed.</summary>
public sealed record EvaluationPlan
{
    /// <summary>Fresh run seeds: never used to design an organism or choose a setting.</summary>
    public static readonly ulong[] DefaultRunSeeds = [11, 12, 13, 14, 15];
    /// <summary>The development seeds, on which designs and settings are chosen (so their figures are not the evaluation).</summary>
    public static readonly ulong[] DevelopmentSeeds = [1, 2, 3];

    public required string OutDirectory { get; init; }
    public IReadOnlyList<string> Organisms { get; init; } = [];
    public OrganismRecipe? Recipe { get; init; }
    public IReadOnlyList<ulong> PretrainSeeds { get; init; } = [];
    public IReadOnlyList<ulong> RunSeeds { get; init; } = DefaultRunSeeds;
    public string Preset { get; init; } = "paper";
    /// <summary>Run options for every run (e.g. instill_method=lora), recorded in each run.json.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Threads of pretraining and of the measures after it (the bytes are the same at any count).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Sham itraining runs beside each run (<see cref="ShamItraining.Kinds"/>), in runs/{organism}-{seed}-sham-{kind}/.</summary>
    public IReadOnlyList<string> Shams { get; init; } = [];
    /// <summary>Also the cross-prediction experiment beside each run, in runs/{organism}-{seed}-cross-prediction/ (<see cref="CrossPredictionColumns"/>).</summary>
    public bool CrossPrediction { get; init; }
    /// <summary>The recipe-level effect the power analysis of the tables sizes the design for.</summary>
    public double PowerEffect { get; init; } = TableOptions.DefaultPowerEffect;
}

/// <summary>
/// The evaluation protocol of docs/organism.md: pretrain the recipe at each seed (DIR/pretrain-{seed}/, skipped once
/// complete), run the preferences experiment for every organism × run seed (DIR/runs/{organism}-{seed}/, each resumable
/// as any run), and write the tables (<see cref="EvaluationTables"/>) after every run, so a stopped evaluation keeps
/// what it has and the same command goes on from there. An archived run (<see cref="EvaluationArchive"/>) keeps its row.
/// </summary>
public static class OrganismEvaluator
{
    /// <summary>Written into a pretraining directory once its final checkpoint is saved: a directory without it is
    /// pretrained again, from its last partial checkpoint if it reached one (<see cref="PretrainingResume"/>).</summary>
    public const string CompleteFile = "pretrain_complete.txt";

    public static async Task<IReadOnlyList<EvaluationRow>> RunAsync(EvaluationPlan plan, Action<string> log, CancellationToken ct)
    {
        if (plan.RunSeeds.Count == 0) throw new UsageException("no run seeds");
        if (plan.Organisms.Count == 0 && (plan.Recipe is null || plan.PretrainSeeds.Count == 0))
            throw new UsageException("nothing to evaluate: name organisms, or a recipe with pretraining seeds");
        var experiment = new PreferencesExperiment();
        var settings = experiment.Settings(plan.Preset, new Dictionary<string, string>());
        // The same preset (cross-prediction's settings are the preferences settings; the cross model starts from the organism).
        var crossExperiment = new CrossPredictionExperiment();
        var crossSettings = crossExperiment.Settings(plan.Preset, new Dictionary<string, string>());

        // Every organism named is resolved (and checked) before anything is written or anything long starts.
        var organisms = plan.Organisms.Select(o => Resolve(o, plan.Options)).ToList();
        Directory.CreateDirectory(plan.OutDirectory);
        // Read before anything is written: an archived run (EvaluationArchive) keeps the row it had.
        string rowsFile = Path.Combine(plan.OutDirectory, EvaluationTables.RowsFile);
        var previous = File.Exists(rowsFile) ? EvaluationRow.ReadAll(rowsFile) : [];
        var plannedOrganisms = organisms.Select(o => o.Id)
            .Concat(plan.Recipe is null ? [] : plan.PretrainSeeds.Select(s => FileNames.Safe(PretrainStatus.Prefix + I(s)))).ToHashSet(StringComparer.Ordinal);
        EvaluationArchive.RefuseDroppingArchivedRows(plan.OutDirectory, previous, plannedOrganisms, plan.RunSeeds);
        string heading = $"Preset {plan.Preset}; run options: {(plan.Options.Count == 0 ? "none" : string.Join(", ", plan.Options.Select(kv => kv.Key + "=" + kv.Value)))}. " +
                         (plan.RunSeeds.Any(EvaluationPlan.DevelopmentSeeds.Contains) ? "**Development seeds** (1–3) among the run seeds: these figures are for design, not the evaluation." : "Fresh run seeds.");
        var pretrainings = new List<PretrainStatus>();
        var tables = new TableOptions { Pretrainings = pretrainings, PowerEffect = plan.PowerEffect };
        if (plan.Recipe is { } recipe)
            foreach (var seed in plan.PretrainSeeds)
            {
                var status = Pretrain(recipe with { Seed = seed }, Path.Combine(plan.OutDirectory, PretrainStatus.Prefix + I(seed)), plan.Threads, log, ct);
                pretrainings.Add(status);
                // A seed the guard stopped stays in the tables as a failure; the others go on.
                if (status.Outcome != PretrainOutcome.Complete) continue;
                var organism = Resolve(status.Directory, plan.Options);
                var needing = plan.RunSeeds.Where(s => !EvaluationArchive.IsArchived(RunDirectoryOf(plan.OutDirectory, organism.Id, s))).ToList();
                if (EvaluationArchive.IsArchived(status.Directory) && needing.Count > 0)
                    Remake(recipe with { Seed = seed }, status.Directory, needing, plan.Threads, log, ct);
                organisms.Add(organism);
            }
        EvaluationTables.Write(plan.OutDirectory, [], heading, tables);
        if (organisms.Select(o => o.Id).Distinct().Count() < organisms.Count)
            throw new UsageException($"two organisms share the name {organisms.GroupBy(o => o.Id).First(g => g.Count() > 1).Key}: their runs would share directories");

        var rows = new List<EvaluationRow>();
        int total = organisms.Count * plan.RunSeeds.Count;
        foreach (var organism in organisms)
            foreach (var seed in plan.RunSeeds)
            {
                async Task<(double Seconds, IExperimentRun Planned, bool Ran)> Execute(string dir, IExperiment runExperiment, System.Text.Json.Nodes.JsonObject runSettings)
                {
                    var config = new RunConfig
                    {
                        Experiment = runExperiment.Name, Preset = plan.Preset, Backend = "local", BaseModel = organism.Id,
                        BackendOptions = new SortedDictionary<string, string>(organism.Options.ToDictionary(), StringComparer.Ordinal),
                        Seeds = Seeds.FromMaster(seed), Settings = runSettings,
                    };
                    var planned = runExperiment.Open(config);
                    var backend = BackendFactory.Create(config, planned.Catalog, planned.Codec, dir);
                    double seconds;
                    bool ran;
                    using (var run = RunDirectory.OpenOrCreate(dir, config))
                    {
                        ran = !planned.Stages.Stages.All(s => run.IsDone(s.Name));
                        // Every run goes to the end: a failed instillation or unreadable replies are what the table is for.
                        await Runner.RunAsync(run, planned, backend, SilentProgress.Instance, ct, checks: ReplyChecks.Off);
                        seconds = run.Manifest.Stages.Values.Sum(s => s.Seconds ?? 0);
                    }
                    return (seconds, planned, ran);
                }
                async Task<(ModelAnalysis Analysis, double Seconds, IExperimentRun Planned)> Run(string dir, System.Text.Json.Nodes.JsonObject runSettings)
                {
                    var (seconds, planned, _) = await Execute(dir, experiment, runSettings);
                    return (Analyzer.Analyze(dir).Models.Single(), seconds, planned);
                }

                string runDir = RunDirectoryOf(plan.OutDirectory, organism.Id, seed);
                if (EvaluationArchive.IsArchived(runDir))
                {
                    rows.Add(EvaluationArchive.KeptRow(runDir, previous, organism.Id, seed, plan.Shams, plan.CrossPrediction));
                    EvaluationTables.Write(plan.OutDirectory, rows, heading, tables);
                    log($"[{rows.Count}/{total}] {organism.Id} run seed {I(seed)}: archived, its row kept");
                    continue;
                }
                var (analysis, seconds, planned) = await Run(runDir, settings.DeepClone().AsObject());
                var ceiling = RidgeCeiling.FromRun(runDir, ((PreferencesRun)planned).Plan, analysis);
                var row = EvaluationRow.From(organism.Id, organism.PretrainSeed, seed, analysis, CountReports(runDir, analysis.BaseModel), seconds, ceiling);
                // Sham itraining beside the real one: the same organism and run seed, the itraining targets replaced.
                foreach (var sham in plan.Shams)
                {
                    var shamSettings = settings.DeepClone().AsObject();
                    shamSettings["itrain_targets"] = ShamItraining.Setting(sham, seed);
                    var (shamAnalysis, _, _) = await Run(runDir + ShamItraining.DirectoryInfix + sham, shamSettings);
                    row = row.WithSham(sham, shamAnalysis);
                }
                // Self versus cross-prediction beside it: its own run, analysed once (its stages done and its summary
                // written, a resumed evaluation reads the figures back) and read from that analysis.
                if (plan.CrossPrediction)
                {
                    string crossDir = runDir + CrossPredictionColumns.DirectorySuffix;
                    var (_, crossRun, ran) = await Execute(crossDir, crossExperiment, crossSettings.DeepClone().AsObject());
                    if (ran || !CrossPredictionColumns.Analysed(crossDir)) crossRun.Analyze(crossDir);
                    row = row.With(CrossPredictionColumns.Read(crossDir));
                }
                rows.Add(row);
                EvaluationTables.Write(plan.OutDirectory, rows, heading, tables);
                log($"[{rows.Count}/{total}] {organism.Id} run seed {I(seed)}: {seconds:F0} s; instillation r {F(row["instillation_r"])}, " +
                    $"instilled {F(row["instilled_slope"])}, held-out {F(row["itrained_held_out_slope"])} (ridge ceiling {F(row["ridge_ceiling_held_out"])}), " +
                    $"native {F(row["native_before_slope"])} → {F(row["native_after_slope"])}, bad reports {100 * row["bad_report_share"]:F1}%" +
                    (plan.Shams.Count == 0 ? "" : $"; itraining effect {F(row["itraining_effect_paired"])} (" +
                        string.Join(", ", plan.Shams.Select(sh => $"sham {sh} {F(row[ShamItraining.Column(sh, "itraining_effect_paired")])}")) + ")") +
                    (plan.CrossPrediction ? $"; self − cross {F(row[CrossPredictionColumns.SelfMinusCross])} [{F(row[CrossPredictionColumns.SelfMinusCross + "_low"])}, {F(row[CrossPredictionColumns.SelfMinusCross + "_high"])}]" : ""));
            }
        return rows;
    }

    /// <summary>Where an evaluation keeps the run of one organism at one run seed.</summary>
    public static string RunDirectoryOf(string evaluationDirectory, string organism, ulong runSeed) =>
        Path.Combine(evaluationDirectory, "runs", $"{organism}-{I(runSeed)}");

    private sealed record Organism(string Id, IReadOnlyDictionary<string, string> Options, ulong PretrainSeed);

    private static Organism Resolve(string organism, IReadOnlyDictionary<string, string> runOptions)
    {
        var options = new SortedDictionary<string, string>(runOptions.ToDictionary(), StringComparer.Ordinal);
        string id = ShippedOrganisms.Resolve(organism, options, "--organism");
        string dir = ShippedOrganisms.DirectoryFor(new RunConfig { BaseModel = id, BackendOptions = options });
        var recipe = OrganismRecipe.Load(dir);
        if (Pretraining.LastLoggedStep(dir) is int last && last < recipe.Curriculum.Steps - 1)
            throw new UsageException($"{dir}: pretraining has not finished (its log ends at step {last + 1} of {recipe.Curriculum.Steps})");
        return new Organism(id, options, recipe.Seed);
    }

    /// <summary>Re-tabulates an evaluation from its evaluation.csv and its pretrain-{seed}/ directories, without running
    /// or pretraining anything: the tables (recipe level, power, every run) go to <paramref name="tablesDirectory"/>,
    /// which may be the evaluation itself or another directory (a running evaluation is only read).</summary>
    public static IReadOnlyList<EvaluationRow> Tabulate(string evaluationDirectory, string tablesDirectory, double powerEffect, OrganismRecipe? recipe)
    {
        string csv = Path.Combine(evaluationDirectory, EvaluationTables.RowsFile);
        var pretrainings = PretrainStatus.Scan(evaluationDirectory, recipe);
        // Before its first run an evaluation still has its pretraining seeds to show (failures included).
        if (!File.Exists(csv) && pretrainings.Count == 0) throw new UsageException($"{csv}: no such file, and no pretrain-{{seed}}/ directory beside it: nothing to tabulate");
        var rows = File.Exists(csv) ? EvaluationRow.ReadAll(csv) : [];
        // The evaluation's own heading (preset, run options) is kept when its evaluation.md has one.
        string md = Path.Combine(evaluationDirectory, EvaluationTables.MarkdownFile);
        string? own = File.Exists(md) ? File.ReadLines(md).FirstOrDefault(l => l.StartsWith("Preset ", StringComparison.Ordinal)) : null;
        if (own?.IndexOf(" Tabulated again from ", StringComparison.Ordinal) is int earlier and >= 0) own = own[..earlier]; // a table tabulated before
        string heading = own is not null ? $"{own} Tabulated again from {csv} (no run re-run)."
            : $"Tabulated again from {csv} (no run re-run). " +
              (rows.Any(r => EvaluationPlan.DevelopmentSeeds.Contains(r.RunSeed)) ? "**Development seeds** (1–3) among the run seeds: these figures are for design, not the evaluation." : "Fresh run seeds.");
        EvaluationTables.Write(tablesDirectory, rows, heading, new TableOptions { Pretrainings = pretrainings, PowerEffect = powerEffect });
        return rows;
    }

    /// <summary>Pretrains into <paramref name="dir"/> unless a complete pretraining of the same recipe is there, or one its
    /// accuracy guard stopped (pretraining is deterministic: it would stop again). A guard stop is recorded in
    /// <see cref="PretrainStatus.FailedFile"/> and returned, not thrown: the evaluation goes on with the other seeds.</summary>
    private static PretrainStatus Pretrain(OrganismRecipe recipe, string dir, int threads, Action<string> log, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(dir, CompleteFile)))
        {
            if (System.Text.Json.JsonSerializer.Serialize(OrganismRecipe.Load(dir)) != System.Text.Json.JsonSerializer.Serialize(recipe))
                throw new UsageException($"{dir}: pretrained from another recipe; give another --out or remove it");
            log($"pretraining seed {I(recipe.Seed)}: complete in {dir}");
            return PretrainStatus.Read(recipe.Seed, dir, recipe);
        }
        if (Directory.Exists(dir) && PretrainStatus.Read(recipe.Seed, dir, recipe) is { Outcome: PretrainOutcome.FailedGuard } stopped)
        {
            log($"pretraining seed {I(recipe.Seed)}: failed its accuracy guard before ({stopped.Detail}); counted as failed, not tried again");
            return stopped;
        }
        log($"pretraining seed {I(recipe.Seed)} into {dir}: {recipe.Curriculum.Steps} steps, {threads} thread(s)" +
            (PretrainingResume.ResumableStep(dir, recipe) is int from ? $", resumed after step {from + 1}" : ""));
        try
        {
            Pretraining.Run(recipe, ScenarioCatalog.Embedded(), dir, threads, Progress(recipe, log), ct);
        }
        catch (PretrainingStalledException e)
        {
            AtomicFile.WriteAllText(Path.Combine(dir, PretrainStatus.FailedFile), e.Message + "\n");
            log($"pretraining seed {I(recipe.Seed)}: FAILED its accuracy guard: {e.Message}");
            return PretrainStatus.Read(recipe.Seed, dir, recipe);
        }
        AtomicFile.WriteAllText(Path.Combine(dir, CompleteFile), $"{recipe.Curriculum.Steps} steps\n");
        return PretrainStatus.Read(recipe.Seed, dir, recipe);
    }

    static Action<PretrainStep> Progress(OrganismRecipe recipe, Action<string> log)
    {
        int every = Math.Max(1, recipe.Curriculum.Steps / 10);
        return s =>
        {
            if ((s.Step + 1) % every == 0) log($"  step {s.Step + 1}/{s.Steps}: loss {s.Loss:F3}, decisions {s.DecisionAccuracy:P0}, {s.Seconds:F0} s");
        };
    }

    /// <summary>An archived pretraining whose weights a new run needs: pretrained again beside it (the same seed gives the
    /// same bytes on any CPU) and its left-out files put back only if their hashes are the archive's.</summary>
    private static void Remake(OrganismRecipe recipe, string dir, IReadOnlyList<ulong> runSeeds, int threads, Action<string> log, CancellationToken ct)
    {
        string scratch = dir + ".remade";
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        log($"pretraining seed {I(recipe.Seed)} again into {scratch}: archived without its weights, which run seed{(runSeeds.Count == 1 ? "" : "s")} {string.Join(", ", runSeeds.Select(I))} need{(runSeeds.Count == 1 ? "s" : "")}");
        Pretraining.Run(recipe, ScenarioCatalog.Embedded(), scratch, threads, Progress(recipe, log), ct);
        EvaluationArchive.PutBack(dir, scratch);
        Directory.Delete(scratch, recursive: true);
    }

    /// <summary>Reports the run's files hold, bad ones included (a bad report is a row with empty report fields).</summary>
    private static int CountReports(string dir, string model) =>
        ReportFiles.Find(dir, model).Values.Sum(f => CsvTable.Read(Path.Combine(dir, f)).Rows.Count);

    private static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
    private static string F(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "–";
}
