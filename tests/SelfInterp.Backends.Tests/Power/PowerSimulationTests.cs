using SelfInterp.Experiments.Preferences.Power;

namespace SelfInterp.Backends.Tests.Power;

/// <summary>The power table responds to the grid as the simulated observer implies, and is reproducible.</summary>
[Collection("power")]
public class PowerSimulationTests
{
    // Two trial counts × two report-noise levels, small enough for seconds.
    private static readonly PowerGrid Grid = new([10], [10, 100], [5], [0, 60], Replicates: 3, Reports: 10, Seed: 7);

    private static PowerResult? _result;
    private static readonly SemaphoreSlim Once = new(1, 1);

    private static async Task<PowerResult> Result()
    {
        await Once.WaitAsync();
        try { return _result ??= await PowerSimulation.RunAsync(Grid); }
        finally { Once.Release(); }
    }

    private static PowerCellResult Cell(PowerResult r, int trials, double reportNoise) =>
        r.Cells.Single(c => c.Cell.Trials == trials && c.Cell.ReportNoise == reportNoise);

    [Fact]
    public async Task More_trials_give_a_higher_instillation_r()
    {
        var r = await Result();
        foreach (var noise in new[] { 0.0, 60 })
            Assert.True(Cell(r, 100, noise).InstillationR.Mean > Cell(r, 10, noise).InstillationR.Mean + 0.05,
                $"report noise {noise}: r {Cell(r, 10, noise).InstillationR.Mean:F3} → {Cell(r, 100, noise).InstillationR.Mean:F3}");
    }

    [Fact]
    public async Task More_report_noise_gives_a_lower_report_slope()
    {
        var r = await Result();
        foreach (var trials in new[] { 10, 100 })
            Assert.True(Cell(r, trials, 60).InstilledSlope.Mean < Cell(r, trials, 0).InstilledSlope.Mean,
                $"{trials} trials: slope {Cell(r, trials, 0).InstilledSlope.Mean:F3} → {Cell(r, trials, 60).InstilledSlope.Mean:F3}");
        // And its interval widens as the reports stop tracking the weights.
        Assert.True(Cell(r, 100, 60).InstilledIntervalWidth.Mean > Cell(r, 100, 0).InstilledIntervalWidth.Mean);
    }

    [Fact]
    public async Task Zero_report_noise_and_many_trials_give_a_slope_near_one()
    {
        var c = Cell(await Result(), 100, 0);
        Assert.InRange(c.InstilledSlope.Mean, 0.95, 1.0);
        Assert.InRange(c.HeldOutSlope.Mean, 0.95, 1.0);
        Assert.Equal(3, c.InstilledSlope.N);
        Assert.InRange(c.InstilledSlope.Low, 0.9, c.InstilledSlope.Mean);
        Assert.InRange(c.InstilledSlope.High, c.InstilledSlope.Mean, 1.0);
    }

    [Fact]
    public async Task Same_seed_gives_the_same_measures_whatever_the_thread_count()
    {
        var grid = new PowerGrid([6], [20], [10], [30], Replicates: 2, Seed: 11);
        var serial = await PowerSimulation.RunAsync(grid, maxDegreeOfParallelism: 1);
        var parallel = await PowerSimulation.RunAsync(grid, maxDegreeOfParallelism: 2);
        Assert.Equal(serial.Cells.Single().Replicates, parallel.Cells.Single().Replicates);
        Assert.Equal(Strip(PowerReport.Json(serial)), Strip(PowerReport.Json(parallel)));

        var other = await PowerSimulation.RunAsync(grid with { Seed = 12 });
        Assert.NotEqual(serial.Cells.Single().Replicates, other.Cells.Single().Replicates);
    }

    [Fact]
    public async Task Replicates_differ_and_leave_no_temporary_directory()
    {
        var r = await Result();
        var reps = r.Cells[0].Replicates;
        Assert.Equal(3, reps.Select(m => m.InstillationR).Distinct().Count());
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), "selfinterp-power-*"));
    }

    [Fact]
    public async Task The_light_posterior_moves_the_measures_by_far_less_than_their_spread()
    {
        var grid = new PowerGrid([10], [50], [10], [30], Replicates: 1, Seed: 3);
        var light = (await PowerSimulation.RunAsync(grid)).Cells.Single().Replicates.Single();
        var full = (await PowerSimulation.RunAsync(grid, posterior: Analysis.Regression.PosteriorOptions.Default)).Cells.Single().Replicates.Single();
        Assert.Equal(full.InstillationR, light.InstillationR, 0.005);
        Assert.Equal(full.InstilledSlope, light.InstilledSlope, 0.005);
        Assert.Equal(full.HeldOutSlope, light.HeldOutSlope, 0.005);
    }

    private static string Strip(string json) => string.Join('\n', json.Split('\n').Where(l => !l.Contains("\"elapsed_s\"")));
}
