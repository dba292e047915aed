using SelfInterp.Analysis;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.CrossPrediction;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Experiments;

/// <summary>The experiments SelfInterp can run. Adding one is adding it here (docs/experiments.md).</summary>
public static class ExperimentCatalog
{
    public const string Default = PreferencesExperiment.ExperimentName;

    public static IReadOnlyList<IExperiment> All { get; } = [new PreferencesExperiment(), new CrossPredictionExperiment()];

    public static IExperiment Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new UsageException($"unknown experiment '{name}' (known: {string.Join(", ", All.Select(e => e.Name))})");

    /// <summary>
    /// Analyses a directory: a run of ours by its experiment (run.json names it); anything else (the authors'
    /// published files, a run copied without its manifest) by the paper's analysis.
    /// </summary>
    public static ExperimentOutcome Analyze(string directory)
    {
        var manifest = Path.Combine(directory, RunDirectory.ManifestFile);
        if (File.Exists(manifest) && RunManifest.Load(manifest).Config is { Experiment: not Default } config)
            return Get(config.Experiment).Open(config).Analyze(directory);
        return PreferencesRun.Outcome(directory, Analyzer.Analyze(directory), "");
    }
}
