using SelfInterp.Analysis;
using SelfInterp.Backends;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Backdoor;
using SelfInterp.Experiments.Behavior;
using SelfInterp.Experiments.CrossPrediction;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Experiments;

/// <summary>The experiments SelfInterp can run. Adding one is adding it here (docs/experiments.md).</summary>
public static class ExperimentCatalog
{
    public const string Default = PreferencesExperiment.ExperimentName;

    public static IReadOnlyList<IExperiment> All { get; } = [new PreferencesExperiment(), new CrossPredictionExperiment(), new BehaviorExperiment(), new BackdoorExperiment()];

    public static IExperiment Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new UsageException($"unknown experiment '{name}' (known: {string.Join(", ", All.Select(e => e.Name))})");

    /// <summary>
    /// Analyses a directory: a run of ours by its experiment (run.json names it); a folder in the authors' backdoor
    /// layout (scenarios.csv with has_flips) by the backdoor analysis; anything else (the authors' published files, a
    /// run copied without its manifest) by the paper's analysis.
    /// </summary>
    /// <param name="options">For the paper's analysis (where the scenario and weight files are, for instance).</param>
    public static ExperimentOutcome Analyze(string directory, AnalysisOptions? options = null)
    {
        var manifest = Path.Combine(directory, RunDirectory.ManifestFile);
        if (File.Exists(manifest) && RunManifest.Load(manifest).Config is { Experiment: not Default } config)
        {
            if (options?.OutputDirectory is not null)
                throw new UsageException($"{manifest}: --out is for directories in the paper layout; the '{config.Experiment}' experiment writes its analysis into its run directory");
            return Get(config.Experiment).Open(config, directory).Analyze(directory);
        }
        if (BackdoorData.IsBackdoorLayout(directory)) return BackdoorRun.Analyze(directory, options ?? AnalysisOptions.Default);
        return PreferencesRun.Outcome(directory, Analyzer.Analyze(directory, options), "", outputDirectory: options?.OutputDirectory);
    }

    /// <summary>
    /// Runs the experiment a run directory's config names, on <paramref name="backend"/> (default: the backend the
    /// config names, with its models in the run directory). Returns the planned experiment, for its analysis.
    /// </summary>
    public static async Task<IExperimentRun> RunAsync(RunDirectory run, IRunProgress progress, CancellationToken ct,
        Func<IExperimentRun, IModelBackend>? backend = null, ReplyChecks? checks = null)
    {
        var config = run.Manifest.Config;
        var planned = Get(config.Experiment).Open(config, run.Path);
        var model = backend?.Invoke(planned) ?? BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path);
        await Runner.RunAsync(run, planned, model, progress, ct, checks: checks);
        return planned;
    }
}
