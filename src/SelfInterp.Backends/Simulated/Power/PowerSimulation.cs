using System.Diagnostics;
using SelfInterp.Analysis.Regression;
using SelfInterp.Core.Catalog;

namespace SelfInterp.Backends.Simulated.Power;

/// <summary>
/// Estimates by simulation how the study's measures depend on its size and on the model's noise: every grid point
/// × replicate is one simulated experiment (<see cref="PowerReplicate"/>). The experiments run in parallel; each
/// owns its directory, backend and seeded streams, so the result does not depend on the thread count or order.
/// </summary>
public static class PowerSimulation
{
    /// <param name="onReplicateDone">Called once per finished experiment, from any thread (for a progress bar).</param>
    public static async Task<PowerResult> RunAsync(PowerGrid grid, Action? onReplicateDone = null,
        PosteriorOptions? posterior = null, int? maxDegreeOfParallelism = null, CancellationToken ct = default)
    {
        var catalog = ScenarioCatalog.Embedded();
        grid.Validate(catalog.Scenarios.Count);
        var clock = Stopwatch.StartNew();
        var cells = grid.Cells();
        var measures = new ReplicateMeasures[cells.Count, grid.Replicates];
        var jobs = from c in Enumerable.Range(0, cells.Count) from r in Enumerable.Range(0, grid.Replicates) select (c, r);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = ct };
        await Parallel.ForEachAsync(jobs, parallel, async (job, token) =>
        {
            measures[job.c, job.r] = await PowerReplicate.RunAsync(cells[job.c], grid.Reports,
                PowerReplicate.SeedOf(grid.Seed, job.r), posterior ?? PowerReplicate.LightPosterior, catalog, token);
            onReplicateDone?.Invoke();
        });
        var results = cells.Select((cell, c) =>
            PowerCellResult.Of(cell, Enumerable.Range(0, grid.Replicates).Select(r => measures[c, r]).ToList())).ToList();
        return new PowerResult(grid, results, clock.Elapsed.TotalSeconds);
    }
}
