using System.Diagnostics;
using SelfInterp.Analysis.Regression;
using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>
/// Estimates by simulation how the study's measures depend on its size and on the model's noise: every grid point
/// × replicate is one simulated experiment. Each (scenario count, replicate) is one job (<see cref="PowerReplicate"/>
/// runs all its points); the jobs run in parallel, each with its own directories, backends and seeded streams, so
/// the result does not depend on the thread count or order.
/// </summary>
public static class PowerSimulation
{
    /// <param name="onExperimentDone">Called once per finished experiment (grid point × replicate), from any thread (for a progress bar).</param>
    public static async Task<PowerResult> RunAsync(PowerGrid grid, Action? onExperimentDone = null,
        PosteriorOptions? posterior = null, int? maxDegreeOfParallelism = null, CancellationToken ct = default)
    {
        var catalog = ScenarioCatalog.Embedded();
        grid.Validate(catalog.Scenarios.Count);
        var clock = Stopwatch.StartNew();
        var cells = grid.Cells();
        // Cells are ordered scenarios-major, so the points of scenario count s are cells [s·P, (s+1)·P).
        int perScenarios = cells.Count / grid.Scenarios.Count;
        var measures = new ReplicateMeasures[cells.Count, grid.Replicates];
        // Largest experiments first, so that the last jobs to finish are short ones.
        var jobs = from s in Enumerable.Range(0, grid.Scenarios.Count) orderby grid.Scenarios[s] descending
                   from r in Enumerable.Range(0, grid.Replicates) select (s, r);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = ct };
        await Parallel.ForEachAsync(jobs, parallel, async (job, token) =>
        {
            var points = await PowerReplicate.RunAsync(grid, grid.Scenarios[job.s], job.r,
                posterior ?? PowerReplicate.LightPosterior, catalog, onExperimentDone, token);
            for (int p = 0; p < perScenarios; p++) measures[job.s * perScenarios + p, job.r] = points[p];
        });
        var results = cells.Select((cell, c) =>
            PowerCellResult.Of(cell, Enumerable.Range(0, grid.Replicates).Select(r => measures[c, r]).ToList())).ToList();
        return new PowerResult(grid, results, clock.Elapsed.TotalSeconds);
    }
}
