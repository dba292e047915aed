using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox.Tests;

/// <summary>The white-box controls on synthetic data, where the truth is known: each fires where it must and stays
/// quiet where it must.</summary>
public class ControlTests
{
    /// <summary>Units in groups of five (scenarios × attributes); features Gaussian around an offset.</summary>
    static (List<float[]> X, List<int> Groups) Units(int groups, int dim, SeededStream rng)
    {
        var x = new List<float[]>();
        var g = new List<int>();
        for (int s = 0; s < groups; s++)
            for (int k = 0; k < 5; k++)
            {
                x.Add(Enumerable.Range(0, dim).Select(_ => (float)(1 + rng.NextGaussian())).ToArray());
                g.Add(s);
            }
        return (x, g);
    }

    static double[] Along(List<float[]> x, double[] direction, double noise, SeededStream rng) =>
        x.Select(row => row.Select((v, j) => v * direction[j]).Sum() + noise * rng.NextGaussian()).ToArray();

    [Fact]
    public void A_probe_on_real_signal_beats_both_nulls()
    {
        var rng = new SeededStream("control-test:signal", 1);
        var (x, g) = Units(40, 16, rng);
        var truth = Enumerable.Range(0, 16).Select(_ => rng.NextGaussian()).ToArray();
        var y = Along(x, truth, 2, rng);
        var result = ProbeNull.Run(x, y, g, 5, 7, 50, "signal");
        double r = ScenarioBootstrap.Pearson(result.Predicted.Select((p, i) => (p, y[i])).ToList());
        Assert.True(r > 0.8, $"r {r}");
        foreach (var n in new[] { result.Shuffled, result.Permuted })
        {
            Assert.Equal(50, n.Draws);
            Assert.True(r > n.P95, $"r {r} against the null's 95th percentile {n.P95}");
            Assert.Equal(1.0 / 51, n.P, 1e-12);   // no draw reached r
            Assert.InRange(n.P95, -0.5, 0.4);
        }
        // The real target's predictions are those of the probe alone: the nulls ride along without changing it.
        Assert.Equal(RidgeProbe.CrossValidated(x, y, g, 5, 7), result.Predicted);
    }

    [Fact]
    public void A_probe_on_noise_does_not_beat_its_nulls_more_often_than_chance()
    {
        var rng = new SeededStream("control-test:noise", 2);
        int significant = 0;
        var ps = new List<double>();
        for (int trial = 0; trial < 20; trial++)
        {
            var (x, g) = Units(30, 16, rng);
            var y = x.Select(_ => rng.NextGaussian()).ToArray();
            var result = ProbeNull.Run(x, y, g, 5, 7, 40, $"noise{trial}");
            if (result.Shuffled.P <= 0.05) significant++;
            ps.Add(result.Shuffled.P);
            ps.Add(result.Permuted.P);
        }
        Assert.True(significant <= 3, $"{significant} of 20 noise probes beat their shuffled null at 5%");
        Assert.InRange(ps.Average(), 0.3, 0.7);   // p-values of a true null spread over (0, 1]
    }

    [Fact]
    public void The_scenario_permutation_moves_whole_scenarios_keeping_each_units_place()
    {
        var groups = Enumerable.Range(0, 12).SelectMany(s => Enumerable.Repeat(s, 5)).ToList();
        var y = Enumerable.Range(0, 60).Select(i => (double)i).ToList();
        var permuted = ProbeNull.PermutedByGroup(y, groups, new SeededStream("t", 1));
        Assert.NotEqual(y, permuted);
        for (int s = 0; s < 12; s++)
        {
            var block = permuted.Skip(5 * s).Take(5).ToList();
            int source = (int)block[0] / 5;
            Assert.Equal(Enumerable.Range(0, 5).Select(k => (double)(5 * source + k)), block);
        }
        Assert.Equal(y.Order(), permuted.Order());
    }

    [Fact]
    public void The_readout_direction_matches_a_probe_it_shares_and_not_one_it_does_not()
    {
        var rng = new SeededStream("control-test:readout", 3);
        var (x, g) = Units(60, 16, rng);
        var coding = Enumerable.Range(0, 16).Select(_ => rng.NextGaussian()).ToArray();
        // Another direction, orthogonal to the coding one.
        var other = Enumerable.Range(0, 16).Select(_ => rng.NextGaussian()).ToArray();
        double proj = other.Zip(coding).Sum(p => p.First * p.Second) / coding.Sum(c => c * c);
        other = other.Select((v, j) => v - proj * coding[j]).ToArray();
        var learned = Along(x, coding, 1, rng);
        var probe = RidgeProbe.FitTuned(x, learned, g, 5, 7).Direction();

        var grounded = Along(x, coding, 1, rng);    // reports read the same direction as the choices
        var elsewhere = Along(x, other, 1, rng);    // reports read another direction
        var fires = ReadoutStudy.Compare("m", "l", x, grounded, g, [("probe", probe)], 50, 7).Single();
        var quiet = ReadoutStudy.Compare("m", "l", x, elsewhere, g, [("probe", probe)], 50, 7).Single();

        Assert.True(fires.Cosine > 0.9, $"cosine {fires.Cosine}");
        Assert.True(fires.Random.P < 0.05 && fires.Shuffled.P < 0.05, $"{fires}");
        Assert.True(fires.ReadoutR > 0.8 && quiet.ReadoutR > 0.8, $"the reports are linear in the representation either way: {fires.ReadoutR}, {quiet.ReadoutR}");
        Assert.True(Math.Abs(quiet.Cosine) < quiet.Random.P95 && Math.Abs(quiet.Cosine) < quiet.Shuffled.P95, $"{quiet}");
        Assert.True(quiet.Random.P > 0.05 && quiet.Shuffled.P > 0.05, $"{quiet}");
        // The wrong sign is read as such: a read-out of −coding has cosine near −1, as far beyond the null.
        var flipped = ReadoutStudy.Compare("m", "l", x, grounded.Select(v => -v).ToList(), g, [("probe", probe)], 50, 7).Single();
        Assert.True(flipped.Cosine < -0.9 && flipped.Shuffled.P < 0.05, $"{flipped}");
    }

    static InterventionStudy.Effect Cell(int scenario, double strength, double choice, double report) => new(scenario, strength, choice, report);

    [Fact]
    public void The_grounding_ratio_is_the_curves_and_the_pooled_slope_can_disagree_with_it()
    {
        var rng = new SeededStream("control-test:dose", 4);
        double[] strengths = [-50, -25, 25, 50];
        // Reports follow the dose at −0.3 of the choices' gain; across scenarios at one strength, a scenario-level
        // spread moves choices and reports together (+1), larger than the dose's own spread of the choices.
        var confounded = new List<InterventionStudy.Effect>();
        var clean = new List<InterventionStudy.Effect>();
        for (int s = 0; s < 60; s++)
        {
            double spread = 40 * rng.NextGaussian();   // the scenario's own: the same at every strength
            foreach (double a in strengths)
            {
                double choice = 0.6 * a;
                confounded.Add(Cell(s, a, choice + spread, -0.3 * choice + spread + 3 * rng.NextGaussian()));
                clean.Add(Cell(s, a, choice + 5 * rng.NextGaussian(), 0.5 * choice + 5 * rng.NextGaussian()));
            }
        }
        Assert.InRange(DoseResponse.GroundingRatio(confounded), -0.4, -0.2);
        Assert.InRange(DoseResponse.BetweenSettings(confounded), -0.45, -0.15);
        Assert.True(DoseResponse.Pooled(confounded) > 0.5, $"pooled {DoseResponse.Pooled(confounded)}");
        Assert.True(DoseResponse.WithinSetting(confounded) > 0.9, $"within {DoseResponse.WithinSetting(confounded)}");
        // Without a scenario-level spread the two agree.
        Assert.InRange(DoseResponse.GroundingRatio(clean), 0.45, 0.55);
        Assert.InRange(DoseResponse.Pooled(clean), 0.4, 0.55);

        var rows = DoseResponse.Rows("steering", "m", "l", confounded, 9).ToDictionary(r => r.Statistic);
        Assert.True(rows["grounding_ratio"].ReportHigh < 0, $"{rows["grounding_ratio"]}");   // fires: reports move against the choices
        Assert.True(rows["report_on_choice_pooled"].ReportLow > 0, $"{rows["report_on_choice_pooled"]}");
        Assert.InRange(rows["dose_slope"].Choice, 0.55, 0.65);

        // Reports that do not follow the dose at all: the ratio's interval holds 0.
        var deaf = clean.Select(e => e with { Report = 10 * rng.NextGaussian() }).ToList();
        var ratio = DoseResponse.Rows("steering", "m", "l", deaf, 9).Single(r => r.Statistic == "grounding_ratio");
        Assert.True(ratio.ReportLow < 0 && ratio.ReportHigh > 0, $"{ratio}");
    }
}
