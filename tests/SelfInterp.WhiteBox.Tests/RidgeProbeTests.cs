using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox.Tests;

public class RidgeProbeTests
{
    /// <summary>Units in groups (scenarios); the target is linear in the features plus noise.</summary>
    static (List<float[]> X, List<double> Y, List<int> Groups, double[] Truth) Synthetic(int groups, int perGroup, int dim, double noise, ulong seed)
    {
        var rng = new SeededStream("ridge-test", seed);
        var truth = Enumerable.Range(0, dim).Select(_ => rng.NextGaussian()).ToArray();
        var x = new List<float[]>();
        var y = new List<double>();
        var g = new List<int>();
        for (int s = 0; s < groups; s++)
            for (int k = 0; k < perGroup; k++)
            {
                var row = Enumerable.Range(0, dim).Select(_ => (float)(3 + 2 * rng.NextGaussian())).ToArray();
                x.Add(row);
                y.Add(row.Select((v, j) => v * truth[j]).Sum() + noise * rng.NextGaussian());
                g.Add(100 + s);
            }
        return (x, y, g, truth);
    }

    /// <summary>How far a fit is from the ridge solution: max |(ZᵀZ + λI)w − Zᵀ(y − ȳ)| over the features, relative to
    /// max |Zᵀ(y − ȳ)|, with Z the rows standardised by the probe's own mean and scale; and the intercept against ȳ.</summary>
    static (double Residual, double InterceptError) NormalEquations(RidgeProbe probe, List<float[]> x, List<double> y, double penalty)
    {
        int n = x.Count, d = x[0].Length;
        var z = x.Select(row => row.Select((v, j) => (v - probe.Mean[j]) / probe.Scale[j]).ToArray()).ToArray();
        double yMean = y.Average();
        var zw = z.Select(row => row.Select((v, j) => v * probe.Weights[j]).Sum()).ToArray();
        double worst = 0, scale = 0;
        for (int j = 0; j < d; j++)
        {
            double lhs = penalty * probe.Weights[j], rhs = 0;
            for (int r = 0; r < n; r++) { lhs += z[r][j] * zw[r]; rhs += z[r][j] * (y[r] - yMean); }
            worst = Math.Max(worst, Math.Abs(lhs - rhs));
            scale = Math.Max(scale, Math.Abs(rhs));
        }
        return (worst / scale, Math.Abs(probe.Intercept - yMean));
    }

    [Theory]
    [InlineData(24, 300)]    // wider than the primal limit, fewer rows than features: the dual form
    [InlineData(320, 300)]   // as many rows as features or more: the primal form
    [InlineData(24, 128)]    // an organism's width: the primal form, whatever the rows
    public void Both_forms_give_the_ridge_solution(int rows, int dim)
    {
        Assert.Equal(dim > RidgeProbe.PrimalWidthLimit && rows < dim, RidgeProbe.SolvesDual(rows, dim));
        var (x, y, _, _) = Synthetic(rows, 1, dim, 0.5, 3);
        foreach (double penalty in RidgeProbe.Penalties)
        {
            var (residual, intercept) = NormalEquations(RidgeProbe.Fit(x, y, penalty), x, y, penalty);
            Assert.True(residual < 1e-9, $"penalty {penalty}: relative residual {residual}");
            Assert.True(intercept < 1e-9, $"penalty {penalty}: intercept off by {intercept}");
        }
    }

    [Fact]
    public void Held_out_predictions_recover_a_linear_target_and_its_direction()
    {
        var (x, y, g, truth) = Synthetic(30, 5, 12, 0.5, 1);
        var predicted = RidgeProbe.CrossValidated(x, y, g, 5, 7);
        double r = ScenarioBootstrap.Pearson(predicted.Select((p, i) => (p, y[i])).ToList());
        Assert.True(r > 0.97, $"r {r}");
        var v = RidgeProbe.FitTuned(x, y, g, 5, 7).Direction();
        double norm = Math.Sqrt(truth.Sum(t => t * t));
        double cosine = v.Select((z, j) => z * truth[j] / norm).Sum();
        Assert.True(cosine > 0.99, $"cosine {cosine}");
    }

    [Fact]
    public void Noise_gives_held_out_r_near_zero_not_the_in_sample_fit()
    {
        var (x, _, g, _) = Synthetic(30, 5, 40, 0, 2);
        var rng = new SeededStream("noise", 3);
        var y = x.Select(_ => rng.NextGaussian()).ToList();
        var predicted = RidgeProbe.CrossValidated(x, y, g, 5, 7);
        double r = ScenarioBootstrap.Pearson(predicted.Select((p, i) => (p, y[i])).ToList());
        Assert.True(r < 0.3, $"held-out r of pure noise {r}");
    }

    [Fact]
    public void Folds_keep_each_scenario_whole_and_are_seeded()
    {
        var groups = Enumerable.Range(0, 23).SelectMany(s => Enumerable.Repeat(s, 3)).ToList();
        var a = RidgeProbe.FoldsOf(groups, 5, 9);
        Assert.Equal(23, a.Count);
        Assert.All(Enumerable.Range(0, 5), f => Assert.InRange(a.Values.Count(v => v == f), 4, 5));
        Assert.Equal(a, RidgeProbe.FoldsOf(groups, 5, 9));
        Assert.NotEqual(a, RidgeProbe.FoldsOf(groups, 5, 10));
    }

    [Fact]
    public void Scenario_bootstrap_interval_covers_the_estimate_and_is_reproducible()
    {
        var rows = Enumerable.Range(0, 40).Select(i => (Scenario: i / 4, X: (double)i, Y: 2.0 * i + (i % 3))).ToList();
        var a = ScenarioBootstrap.Interval(rows, r => r.Scenario, rs => ScenarioBootstrap.Slope(rs.Select(r => (r.X, r.Y)).ToList()), "t", 1);
        Assert.InRange(a.Estimate, 1.95, 2.05);
        Assert.True(a.Low <= a.Estimate && a.Estimate <= a.High && a.High - a.Low < 0.2, $"{a}");
        Assert.Equal(a, ScenarioBootstrap.Interval(rows, r => r.Scenario, rs => ScenarioBootstrap.Slope(rs.Select(r => (r.X, r.Y)).ToList()), "t", 1));
    }
}
