using System.Globalization;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Regression;
using SelfInterp.Analysis.Layout;
using SelfInterp.Backends;
using SelfInterp.Backends.Simulated;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>
/// One replicate at one scenario count: the simulated experiment at every (trials, choice noise, report noise)
/// point of the grid, run in-process with the simulated backend in a temporary directory deleted afterwards.
/// The pipeline is factorised rather than run once per point: with the simulated backend the report files
/// depend on the report noise but not on trials or choice noise, and the selections files on trials and choice
/// noise but not on the report noise (model weights come from the fine-tuning examples, model ids from the
/// seeds). So the report stages run once per report-noise level, the selection stages (after the instilling
/// fine-tune) once per (trials, choice noise), and each point's directory is assembled from the two.
/// <c>PowerReplicateTests</c> checks that the assembled files are byte-identical to a full run's.
/// </summary>
public static class PowerReplicate
{
    /// <summary>
    /// The posterior the power analysis uses: 128 importance draws instead of 512 (ESS ≥ 50 instead of 200).
    /// Its Monte Carlo error in a learned weight should be about 0.9 units of 100 RMS (0.44 at 512 draws, scaling
    /// as 1/√draws), far below the sampling noise of the choices that a power analysis measures;
    /// <c>PowerSimulationTests</c> checks that the measures barely move.
    /// </summary>
    public static PosteriorOptions LightPosterior { get; } = new() { InitialDraws = 128, MinEffectiveSampleSize = 50 };

    /// <summary>
    /// The master seed of replicate <paramref name="replicate"/>. It does not depend on the grid point, so every
    /// point sees the same target weights, trials and noise streams (common random numbers): differences between
    /// points come from the settings, not from luck.
    /// </summary>
    public static ulong SeedOf(ulong masterSeed, int replicate) =>
        SeededStream.DeriveSeed(masterSeed, $"power_replicate:{replicate.ToString(CultureInfo.InvariantCulture)}");

    public static RunConfig ConfigOf(PowerCell cell, int reports, ulong replicateSeed) => new()
    {
        Experiment = PreferencesExperiment.ExperimentName,
        Preset = "power",
        Backend = "simulated",
        BaseModel = SimulatedBackend.BaseModelId,
        Settings = new PreferencesConfig
        {
            Instilled = cell.Scenarios,
            Native = cell.Scenarios,
            NativeOffset = PowerGrid.NativeOffset(cell.Scenarios),
            Reports = reports,
            Selections = cell.Trials,
            NativeSelections = cell.Trials,
        }.ToJson(),
        Seeds = Seeds.FromMaster(replicateSeed),
        BackendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["choice_noise"] = cell.ChoiceNoise.ToString("R", CultureInfo.InvariantCulture),
            ["report_noise"] = cell.ReportNoise.ToString("R", CultureInfo.InvariantCulture),
        },
    };

    /// <summary>
    /// The measures at every (trials, choice noise, report noise) point for this scenario count and replicate, in
    /// the grid's order (trials, then choice noise, then report noise).
    /// </summary>
    public static async Task<ReplicateMeasures[]> RunAsync(PowerGrid grid, int scenarios, int replicate,
        PosteriorOptions posterior, ScenarioCatalog catalog, Action? onPointDone, CancellationToken ct)
    {
        ulong seed = SeedOf(grid.Seed, replicate);
        var root = Directory.CreateTempSubdirectory("selfinterp-power-");
        try
        {
            var reportDirs = new List<string>();
            for (int r = 0; r < grid.ReportNoise.Count; r++)
            {
                var cell = new PowerCell(scenarios, grid.Trials[0], grid.ChoiceNoise[0], grid.ReportNoise[r]);
                reportDirs.Add(await RunReportsAsync(ConfigOf(cell, grid.Reports, seed), Sub(root, $"reports-{r}"), catalog, ct));
            }
            var measures = new List<ReplicateMeasures>();
            foreach (var trials in grid.Trials)
                foreach (var choiceNoise in grid.ChoiceNoise)
                {
                    var cell = new PowerCell(scenarios, trials, choiceNoise, grid.ReportNoise[0]);
                    var selections = await RunSelectionsAsync(ConfigOf(cell, grid.Reports, seed), Sub(root, "selections"), catalog, ct);
                    foreach (var reports in reportDirs)
                    {
                        var point = Sub(root, "point");
                        Assemble(reports, selections, point);
                        measures.Add(Analyze(point, posterior));
                        Directory.Delete(point, recursive: true);
                        onPointDone?.Invoke();
                    }
                    Directory.Delete(selections, recursive: true);
                }
            return measures.ToArray();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>The datasets and the stages the report files need (every fine-tune, every report stage).</summary>
    public static Task<string> RunReportsAsync(RunConfig config, string dir, ScenarioCatalog catalog, CancellationToken ct) =>
        RunStagesAsync(config, dir, catalog,
            plan => Enum.GetValues<ReportCondition>().Select(c => PaperLayout.Reports(plan.FileModelName, c, PreferencesStages.ReportCounts(plan.Config))), ct);

    /// <summary>The datasets and the stages the selections files need (the instilling fine-tune, the selections).</summary>
    public static Task<string> RunSelectionsAsync(RunConfig config, string dir, ScenarioCatalog catalog, CancellationToken ct) =>
        RunStagesAsync(config, dir, catalog, plan => [PaperLayout.InstilledSelections(plan.FileModelName), PaperLayout.LatentSelections(plan.FileModelName)], ct);

    /// <summary>A directory in the paper layout with what the analysis reads: the catalog and targets, the report files, the selections.</summary>
    public static void Assemble(string reportsDir, string selectionsDir, string pointDir)
    {
        string model = SimulatedBackend.BaseModelId;
        Directory.CreateDirectory(pointDir);
        void Copy(string from, string file) => File.Copy(Path.Combine(from, file), Path.Combine(pointDir, file));
        Copy(reportsDir, PaperLayout.ScenariosFile);
        Copy(reportsDir, PaperLayout.InstilledWeightsFile);
        foreach (var file in ReportFiles.Find(reportsDir, model).Values) Copy(reportsDir, file);
        Copy(selectionsDir, PaperLayout.InstilledSelections(model));
        Copy(selectionsDir, PaperLayout.LatentSelections(model));
    }

    private static ReplicateMeasures Analyze(string dir, PosteriorOptions posterior)
    {
        // One thread per analysis: the replicates themselves run in parallel.
        var options = new AnalysisOptions { Posterior = posterior, WriteFiles = false, MaxDegreeOfParallelism = 1 };
        return ReplicateMeasures.From(Analyzer.Analyze(dir, options).Models.Single());
    }

    /// <summary>Runs what the stage graph says produces <paramref name="files"/> (named by the run's plan).</summary>
    private static async Task<string> RunStagesAsync(RunConfig config, string dir, ScenarioCatalog catalog,
        Func<PreferencesPlan, IEnumerable<string>> files, CancellationToken ct)
    {
        var experiment = new PreferencesRun(new PreferencesPlan(config, PreferencesConfig.From(config), catalog, Prompts.PromptTemplates.Default));
        using var run = RunDirectory.OpenOrCreate(dir, config);
        var backend = BackendFactory.Create(config, catalog, experiment.Codec, dir);
        var stages = experiment.Stages.Producing(files(experiment.Plan).Select(Artifacts.File));
        await Runner.RunAsync(run, experiment, backend, SilentProgress.Instance, ct, stages, ReplyChecks.Off);
        return dir;
    }

    private static string Sub(DirectoryInfo root, string name) => Path.Combine(root.FullName, name);
}
