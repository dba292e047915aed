using System.Globalization;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Regression;
using SelfInterp.Core.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Simulated.Power;

/// <summary>
/// One simulated experiment at one grid point: the whole pipeline in-process with the simulated backend, in a
/// temporary directory that is deleted afterwards, then the analysis (without writing its files).
/// </summary>
public static class PowerReplicate
{
    /// <summary>
    /// The posterior the power analysis uses: 128 importance draws instead of 512 (ESS ≥ 50 instead of 200).
    /// Its Monte Carlo error in a learned weight is about 0.9 units of 100 RMS, far below the sampling noise of
    /// the choices that a power analysis measures; <c>PowerAccuracyTests</c> checks that the measures barely move.
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
        Preset = "power",
        Backend = "simulated",
        BaseModel = SimulatedBackend.BaseModelId,
        Instilled = cell.Scenarios,
        Native = cell.Scenarios,
        NativeOffset = PowerGrid.NativeOffset(cell.Scenarios),
        Reports = reports,
        Selections = cell.Trials,
        NativeSelections = cell.Trials,
        Seeds = Seeds.FromMaster(replicateSeed),
        BackendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["choice_noise"] = cell.ChoiceNoise.ToString("R", CultureInfo.InvariantCulture),
            ["report_noise"] = cell.ReportNoise.ToString("R", CultureInfo.InvariantCulture),
        },
    };

    public static async Task<ReplicateMeasures> RunAsync(PowerCell cell, int reports, ulong replicateSeed,
        PosteriorOptions posterior, ScenarioCatalog catalog, CancellationToken ct)
    {
        var config = ConfigOf(cell, reports, replicateSeed);
        var root = Directory.CreateTempSubdirectory("selfinterp-power-");
        try
        {
            var dir = Path.Combine(root.FullName, "run");
            var run = RunDirectory.OpenOrCreate(dir, config);
            var backend = BackendFactory.Create(config, catalog, dir);
            await RunPipeline.RunAsync(run, backend, RunPipeline.ModelStages(config), SilentProgress.Instance, ct);
            // One thread per replicate: the replicates themselves run in parallel.
            var options = new AnalysisOptions { Posterior = posterior, WriteFiles = false, MaxDegreeOfParallelism = 1 };
            return ReplicateMeasures.From(Analyzer.Analyze(dir, options).Models.Single());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
