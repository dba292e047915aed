using System.Globalization;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Data;
using SelfInterp.Analysis.Layout;
using SelfInterp.Backends;
using SelfInterp.Backends.Local;
using SelfInterp.Core.Catalog;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
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
    /// <summary>Threads of pretraining (its bytes depend on the count).</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>
/// The evaluation protocol of docs/organism.md: pretrain the recipe at each seed (DIR/pretrain-{seed}/, skipped once
/// complete), run the preferences experiment for every organism × run seed (DIR/runs/{organism}-{seed}/, each resumable
/// as any run), and write the tables (<see cref="EvaluationTables"/>) after every run, so a stopped evaluation keeps
/// what it has and the same command goes on from there.
/// </summary>
public static class OrganismEvaluator
{
    /// <summary>Written into a pretraining directory once its final checkpoint is saved: a directory without it is
    /// pretrained again from the start (pretraining itself does not resume).</summary>
    public const string CompleteFile = "pretrain_complete.txt";

    public static async Task<IReadOnlyList<EvaluationRow>> RunAsync(EvaluationPlan plan, Action<string> log, CancellationToken ct)
    {
        if (plan.RunSeeds.Count == 0) throw new UsageException("no run seeds");
        if (plan.Organisms.Count == 0 && (plan.Recipe is null || plan.PretrainSeeds.Count == 0))
            throw new UsageException("nothing to evaluate: name organisms, or a recipe with pretraining seeds");
        var experiment = new PreferencesExperiment();
        var settings = experiment.Settings(plan.Preset, new Dictionary<string, string>());

        // Every organism named is resolved (and checked) before anything is written or anything long starts.
        var organisms = plan.Organisms.Select(o => Resolve(o, plan.Options)).ToList();
        Directory.CreateDirectory(plan.OutDirectory);
        if (plan.Recipe is { } recipe)
            foreach (var seed in plan.PretrainSeeds)
                organisms.Add(Resolve(Pretrain(recipe with { Seed = seed }, Path.Combine(plan.OutDirectory, "pretrain-" + I(seed)), plan.Threads, log, ct), plan.Options));
        if (organisms.Select(o => o.Id).Distinct().Count() < organisms.Count)
            throw new UsageException($"two organisms share the name {organisms.GroupBy(o => o.Id).First(g => g.Count() > 1).Key}: their runs would share directories");

        var rows = new List<EvaluationRow>();
        int total = organisms.Count * plan.RunSeeds.Count;
        string heading = $"Preset {plan.Preset}; run options: {(plan.Options.Count == 0 ? "none" : string.Join(", ", plan.Options.Select(kv => kv.Key + "=" + kv.Value)))}. " +
                         (plan.RunSeeds.Any(EvaluationPlan.DevelopmentSeeds.Contains) ? "**Development seeds** (1–3) among the run seeds: these figures are for design, not the evaluation." : "Fresh run seeds.");
        foreach (var organism in organisms)
            foreach (var seed in plan.RunSeeds)
            {
                var config = new RunConfig
                {
                    Experiment = experiment.Name, Preset = plan.Preset, Backend = "local", BaseModel = organism.Id,
                    BackendOptions = new SortedDictionary<string, string>(organism.Options.ToDictionary(), StringComparer.Ordinal),
                    Seeds = Seeds.FromMaster(seed), Settings = settings.DeepClone().AsObject(),
                };
                string dir = Path.Combine(plan.OutDirectory, "runs", $"{organism.Id}-{I(seed)}");
                var planned = experiment.Open(config);
                var backend = BackendFactory.Create(config, planned.Catalog, planned.Codec, dir);
                double seconds;
                using (var run = RunDirectory.OpenOrCreate(dir, config))
                {
                    // Every run goes to the end: a failed instillation or unreadable replies are what the table is for.
                    await Runner.RunAsync(run, planned, backend, SilentProgress.Instance, ct, checks: ReplyChecks.Off);
                    seconds = run.Manifest.Stages.Values.Sum(s => s.Seconds ?? 0);
                }
                var analysis = Analyzer.Analyze(dir).Models.Single();
                var row = EvaluationRow.From(organism.Id, organism.PretrainSeed, seed, analysis, CountReports(dir, analysis.BaseModel), seconds);
                rows.Add(row);
                EvaluationTables.Write(plan.OutDirectory, rows, heading);
                log($"[{rows.Count}/{total}] {organism.Id} run seed {I(seed)}: {seconds:F0} s; instillation r {F(row["instillation_r"])}, " +
                    $"instilled {F(row["instilled_slope"])}, held-out {F(row["itrained_held_out_slope"])}, native {F(row["native_before_slope"])} → {F(row["native_after_slope"])}, " +
                    $"bad reports {100 * row["bad_report_share"]:F1}%");
            }
        return rows;
    }

    private sealed record Organism(string Id, IReadOnlyDictionary<string, string> Options, ulong PretrainSeed);

    private static Organism Resolve(string organism, IReadOnlyDictionary<string, string> runOptions)
    {
        var options = new SortedDictionary<string, string>(runOptions.ToDictionary(), StringComparer.Ordinal);
        string id = ShippedOrganisms.Resolve(organism, options);
        string dir = ShippedOrganisms.DirectoryFor(new RunConfig { BaseModel = id, BackendOptions = options });
        var recipe = OrganismRecipe.Load(dir);
        if (LastLoggedStep(dir) is int last && last < recipe.Curriculum.Steps - 1)
            throw new UsageException($"{dir}: pretraining has not finished (its log ends at step {last + 1} of {recipe.Curriculum.Steps})");
        return new Organism(id, options, recipe.Seed);
    }

    /// <summary>Pretrains into <paramref name="dir"/> unless a complete pretraining of the same recipe is there.</summary>
    private static string Pretrain(OrganismRecipe recipe, string dir, int threads, Action<string> log, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(dir, CompleteFile)))
        {
            if (System.Text.Json.JsonSerializer.Serialize(OrganismRecipe.Load(dir)) != System.Text.Json.JsonSerializer.Serialize(recipe))
                throw new UsageException($"{dir}: pretrained from another recipe; give another --out or remove it");
            log($"pretraining seed {I(recipe.Seed)}: complete in {dir}");
            return dir;
        }
        log($"pretraining seed {I(recipe.Seed)} into {dir}: {recipe.Curriculum.Steps} steps, {threads} thread(s)");
        int every = Math.Max(1, recipe.Curriculum.Steps / 10);
        Pretraining.Run(recipe, ScenarioCatalog.Embedded(), dir, threads, s =>
        {
            if ((s.Step + 1) % every == 0) log($"  step {s.Step + 1}/{s.Steps}: loss {s.Loss:F3}, decisions {s.DecisionAccuracy:P0}, {s.Seconds:F0} s");
        }, ct);
        AtomicFile.WriteAllText(Path.Combine(dir, CompleteFile), $"{recipe.Curriculum.Steps} steps\n");
        return dir;
    }

    /// <summary>The last step pretrain_log.csv records, or null without a log.</summary>
    private static int? LastLoggedStep(string dir)
    {
        string path = Path.Combine(dir, "pretrain_log.csv");
        if (!File.Exists(path)) return null;
        var table = CsvTable.Read(path);
        int column = table.Column("step");
        return table.Rows.Count == 0 ? -1 : table.Rows.Max(r => int.Parse(r[column], CultureInfo.InvariantCulture));
    }

    /// <summary>Reports the run's files hold, bad ones included (a bad report is a row with empty report fields).</summary>
    private static int CountReports(string dir, string model) =>
        Enum.GetValues<ReportCondition>().Select(c => Path.Combine(dir, PaperLayout.Reports(model, c)))
            .Where(File.Exists).Sum(f => CsvTable.Read(f).Rows.Count);

    private static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
    private static string F(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "–";
}
