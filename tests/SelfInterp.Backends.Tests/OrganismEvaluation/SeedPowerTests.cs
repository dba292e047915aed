using SelfInterp.Core.Random;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.Backends.Tests.OrganismEvaluation;

/// <summary>The power of the recipe-level test: its size, a textbook value, agreement with simulation of the same
/// test, and the design the naive organism's spreads call for.</summary>
public class SeedPowerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(29)]
    public void With_no_effect_the_test_rejects_5_percent_of_the_time(int df) =>
        Assert.Equal(0.05, SeedPower.NoncentralTwoSided(0, df), 4);

    [Fact]
    public void A_one_sample_t_test_with_d_1_and_10_units_has_power_0_803()
    {
        // The textbook figure (e.g. G*Power: d = 1, α = 0.05 two-sided, n = 10 → 0.8031); σ_w = 0 makes each seed one unit.
        Assert.Equal(0.8031, SeedPower.Power(1, 1, 0, 10, 1), 3);
        Assert.Equal(10, SeedPower.SeedsNeeded(1, 1, 0, 1));
    }

    /// <summary>The same test simulated: k seeds × m runs drawn with the given spreads, the recipe-level interval
    /// computed as the tables compute it, the share that excludes 0 against the exact power.</summary>
    [Theory]
    [InlineData(0.10, 0.13, 0.03, 15, 3)]
    [InlineData(0.10, 0.26, 0.15, 20, 2)]
    [InlineData(0.30, 0.13, 0.10, 4, 3)]
    public void The_exact_power_agrees_with_simulation_of_the_test(double effect, double sdBetween, double sdWithin, int seeds, int runs)
    {
        var rng = new SeededStream("seed_power_simulation", (ulong)seeds);
        const int simulations = 3000;
        int rejected = 0;
        for (int s = 0; s < simulations; s++)
        {
            var data = Enumerable.Range(0, seeds).Select(_ =>
            {
                double mean = effect + sdBetween * rng.NextGaussian();
                return (IReadOnlyList<double>)Enumerable.Range(0, runs).Select(_ => mean + sdWithin * rng.NextGaussian()).ToList();
            }).ToList();
            var e = RecipeEstimate.Of("m", data);
            if (e.Low > 0 || e.High < 0) rejected++;
        }
        Assert.Equal(SeedPower.Power(effect, sdBetween, sdWithin, seeds, runs), rejected / (double)simulations, 0.03);
    }

    [Fact]
    public void The_naive_organisms_spreads_need_about_15_pretraining_seeds_for_instilled_minus_base_of_0_10()
    {
        // Between- and within-seed sd of instilled − base on the three pretraining seeds × 5 runs of research/organism/evaluation/naive.
        var needed = SeedPower.RunSeedsPerSeed.Select(m => SeedPower.SeedsNeeded(0.10, 0.128, 0.029, m)!.Value).ToArray();
        Assert.InRange(needed[2], 14, 18);
        // More run seeds never need more pretraining seeds, and barely fewer when most variance is between seeds.
        Assert.True(needed.Zip(needed.Skip(1)).All(p => p.Second <= p.First));
        Assert.True(needed[0] - needed[^1] <= 1);
        // When the runs are the noisy part, run seeds do matter.
        Assert.True(SeedPower.SeedsNeeded(0.10, 0.05, 0.3, 1) > SeedPower.SeedsNeeded(0.10, 0.05, 0.3, 5) + 5);
        Assert.Null(SeedPower.SeedsNeeded(0.01, 0.5, 0.5, 5)); // not within 200 seeds
    }

    [Fact]
    public void The_detectable_effect_is_where_the_power_reaches_80_percent()
    {
        // d = 1 with 10 units has power 0.803, just above 0.8: the detectable effect is just below 1 sd.
        double d = SeedPower.DetectableEffect(1, 0, 10, 1);
        Assert.InRange(d, 0.98, 1.0);
        Assert.Equal(SeedPower.TargetPower, SeedPower.Power(d, 1, 0, 10, 1), 4);
        // It scales with the seed means' sd, shrinks with more seeds, and run seeds help only through the within-seed part.
        Assert.Equal(2 * d, SeedPower.DetectableEffect(2, 0, 10, 1), 6);
        Assert.True(SeedPower.DetectableEffect(1, 0, 40, 1) < d / 1.9);
        Assert.Equal(SeedPower.DetectableEffect(0.3, 0.2, 15, 4), SeedPower.DetectableEffect(0.3, 0.1, 15, 1), 9);
        // Consistent with the seeds-needed search: the design it names finds the effect, one seed fewer does not.
        int k = SeedPower.SeedsNeeded(0.10, 0.128, 0.029, 3)!.Value;
        Assert.True(SeedPower.DetectableEffect(0.128, 0.029, k, 3) <= 0.10);
        Assert.True(SeedPower.DetectableEffect(0.128, 0.029, k - 1, 3) > 0.10);
        Assert.Equal(0, SeedPower.DetectableEffect(0, 0, 5, 3));
        Assert.True(double.IsNaN(SeedPower.DetectableEffect(1, 0, 1, 3)));
    }
}
