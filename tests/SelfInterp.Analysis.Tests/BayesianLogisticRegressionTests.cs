using SelfInterp.Core.Random;
using SelfInterp.Analysis.Regression;

namespace SelfInterp.Analysis.Tests;

public class BayesianLogisticRegressionTests
{
    private static PosteriorFit Fit(ChoiceData data, ulong seed = 7) =>
        BayesianLogisticRegression.Fit(data, new SeededStream("analysis", seed));

    [Theory]
    // few trials: the posterior is skewed and its mean differs visibly from its mode
    [InlineData(20, 0.0, new[] { 3.0, -2.0, 1.0, 0.5, -1.5 }, 11UL)]
    [InlineData(50, 0.8, new[] { 4.0, 1.0, -3.0, 0.0, 2.0 }, 12UL)]
    [InlineData(100, -0.5, new[] { -6.0, 2.0, 0.5, 5.0, -1.0 }, 13UL)]
    public void Posterior_mean_agrees_with_a_long_Metropolis_run(int trials, double intercept, double[] slopes, ulong seed)
    {
        var draws = SyntheticChoices.Draw(intercept, slopes, trials, seed);
        var fit = Fit(SyntheticChoices.ToData(draws));
        Assert.True(fit.Succeeded, fit.FailureReason);

        var (reference, referenceError) = MetropolisReference.Run(draws, Math.Min(120_000, 6_000_000 / trials), seed + 100);
        for (int i = 0; i < 6; i++)
        {
            // 4.5 combined standard errors: a wrong mean (e.g. the mode) fails, Monte Carlo noise does not.
            double tolerance = 4.5 * Math.Sqrt(referenceError[i] * referenceError[i] + fit.MonteCarloError[i] * fit.MonteCarloError[i]);
            Assert.True(Math.Abs(fit.Mean[i] - reference[i]) <= tolerance,
                $"parameter {i}: importance sampling {fit.Mean[i]:F4} vs Metropolis {reference[i]:F4} (tolerance {tolerance:F4})");
        }
    }

    [Fact]
    public void With_few_trials_the_posterior_mean_is_not_the_mode()
    {
        var draws = SyntheticChoices.Draw(0, [3, -2, 1, 0.5, -1.5], 20, 11);
        var fit = Fit(SyntheticChoices.ToData(draws));
        double largest = Enumerable.Range(0, 6).Max(i => Math.Abs(fit.Mean[i] - fit.Mode[i]) / fit.MonteCarloError[i]);
        // Six Monte Carlo errors apart: not sampling noise, so the estimate is the mean, not the mode.
        Assert.True(largest > 6, $"mean and mode differ by at most {largest:F1} Monte Carlo errors");
    }

    [Fact]
    public void Inverting_every_choice_negates_all_parameters()
    {
        var draws = SyntheticChoices.Draw(0.7, [3, -2, 1, 0.5, -1.5], 60, 21);
        var fit = Fit(SyntheticChoices.ToData(draws));
        var inverted = Fit(SyntheticChoices.ToData(draws.Select(t => (t.D, !t.ChoseA))));
        Assert.Equal(fit.Mode.Select(v => -v), inverted.Mode, new ToleranceComparer(1e-9));
        AssertWithinMonteCarlo(fit.Mean.Select(v => -v).ToArray(), inverted, fit);
    }

    [Fact]
    public void Swapping_the_labels_A_and_B_keeps_the_slopes_and_negates_the_intercept()
    {
        var draws = SyntheticChoices.Draw(0.7, [3, -2, 1, 0.5, -1.5], 60, 22);
        var fit = Fit(SyntheticChoices.ToData(draws));
        // Option B becomes A: differences change sign, and so does which label was chosen.
        var swapped = Fit(SyntheticChoices.ToData(draws.Select(t => (t.D.Select(d => -d).ToArray(), !t.ChoseA))));
        var expected = fit.Mean.ToArray();
        expected[0] = -expected[0];
        AssertWithinMonteCarlo(expected, swapped, fit);
        // The paper's rounded weights agree up to one unit (Monte Carlo error at the rounding boundary).
        Assert.All(Scale(fit).Zip(Scale(swapped)), p => Assert.InRange(p.First - p.Second, -1, 1));
    }

    [Fact]
    public void Permuting_attributes_permutes_slopes()
    {
        int[] order = [3, 0, 4, 1, 2];
        var draws = SyntheticChoices.Draw(-0.3, [4, -1, 2, -3, 0.5], 80, 23);
        var fit = Fit(SyntheticChoices.ToData(draws));
        var permuted = Fit(SyntheticChoices.ToData(draws.Select(t => (order.Select(k => t.D[k]).ToArray(), t.ChoseA))));
        var expected = new double[6];
        expected[0] = fit.Mean[0];
        for (int i = 0; i < 5; i++) expected[i + 1] = fit.Mean[order[i] + 1];
        AssertWithinMonteCarlo(expected, permuted, fit);
    }

    [Fact]
    public void Same_seed_same_numbers_other_seed_same_within_Monte_Carlo_error()
    {
        var data = SyntheticChoices.ToData(SyntheticChoices.Draw(0.2, [2, 2, -1, 0, 3], 50, 24));
        var a = Fit(data, 5);
        var b = Fit(data, 5);
        var c = Fit(data, 6);
        Assert.Equal(a.Mean, b.Mean);
        Assert.NotEqual(a.Mean, c.Mean);
        AssertWithinMonteCarlo(a.Mean, c, a);
    }

    [Fact]
    public void Scenarios_without_information_are_failed_with_a_reason()
    {
        Assert.Equal("no valid selections", Fit(new ChoiceData()).FailureReason);

        var allA = SyntheticChoices.ToData(SyntheticChoices.Draw(0, [1, 1, 1, 1, 1], 30, 25).Select(t => (t.D, true)));
        Assert.Contains("all 30 selections are A", Fit(allA).FailureReason);

        var same = new ChoiceData();
        for (int t = 0; t < 20; t++) same.Add(new double[5], t % 3 == 0);
        Assert.Equal("options A and B never differ", Fit(same).FailureReason);
    }

    [Fact]
    public void Too_few_draws_for_the_required_effective_sample_size_fail_the_scenario()
    {
        var data = SyntheticChoices.ToData(SyntheticChoices.Draw(0, [3, -2, 1, 0.5, -1.5], 40, 26));
        var options = new PosteriorOptions { InitialDraws = 100, MaxDraws = 200, MinEffectiveSampleSize = 1000 };
        var fit = BayesianLogisticRegression.Fit(data, new SeededStream("analysis", 1), options);
        Assert.False(fit.Succeeded);
        Assert.Contains("effective sample size", fit.FailureReason);
    }

    [Fact]
    public void A_small_effective_sample_size_doubles_the_draws_until_it_suffices()
    {
        var data = SyntheticChoices.ToData(SyntheticChoices.Draw(0, [3, -2, 1, 0.5, -1.5], 40, 26));
        var options = new PosteriorOptions { InitialDraws = 50, MaxDraws = 4000, MinEffectiveSampleSize = 300 };
        var fit = BayesianLogisticRegression.Fit(data, new SeededStream("analysis", 1), options);
        Assert.True(fit.Succeeded, fit.FailureReason);
        Assert.True(fit.Draws is > 50 and <= 4000, $"{fit.Draws} draws");
        Assert.True(fit.EffectiveSampleSize >= 300);
        Assert.Equal(0, Math.Log2(fit.Draws / 50.0) % 1); // 50 · 2^k
    }

    [Fact]
    public void Many_trials_recover_the_direction_of_the_true_slopes()
    {
        double[] truth = [5, -2.5, 1, 0, -4];
        var fit = Fit(SyntheticChoices.ToData(SyntheticChoices.Draw(0, truth, 4000, 27)));
        var w = Scale(fit);
        Assert.Equal([100, -50, 20, 0, -80], w.Select(v => (int)Math.Round(v / 10.0) * 10).ToArray());
    }

    private static int[] Scale(PosteriorFit fit)
    {
        var w = new int[5];
        Assert.True(WeightScaling.TryScaleToHundred(fit.SlopeMeans, w));
        return w;
    }

    private static void AssertWithinMonteCarlo(double[] expected, PosteriorFit actual, PosteriorFit reference)
    {
        Assert.True(actual.Succeeded, actual.FailureReason);
        for (int i = 0; i < 6; i++)
        {
            double tolerance = 5 * Math.Sqrt(actual.MonteCarloError[i] * actual.MonteCarloError[i] + reference.MonteCarloError[i] * reference.MonteCarloError[i]);
            Assert.True(Math.Abs(expected[i] - actual.Mean[i]) <= tolerance,
                $"parameter {i}: expected {expected[i]:F4}, got {actual.Mean[i]:F4} (tolerance {tolerance:F4})");
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
