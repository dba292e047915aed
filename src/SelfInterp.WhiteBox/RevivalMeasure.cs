using SelfInterp.Core.Scenarios;

namespace SelfInterp.WhiteBox;

/// <summary>One figure of reverse fine-tuning. Per step: <c>r_with_original</c> (Pearson r of the model's weights with the
/// original model's over the (scenario, attribute) pairs) and <c>revived_share</c> ((r − r at step 0) / (1 − r at step
/// 0): the share of the distance to the original behaviour closed). Per model: <c>steps_to_revive</c>, the steps until
/// the revived share first reaches <see cref="Fraction"/> (linear between schedule steps; +∞ if not within the
/// schedule). <see cref="Step"/> or <see cref="Fraction"/> is NaN where it does not apply.</summary>
public sealed record ReverseRow(string Direction, string Model, string Measure, double Step, double Fraction, int Units, double Value, double Low, double High);

/// <summary>How far a behaviour has come back along a reverse fine-tuning, for the changed model and its control, with
/// 95% intervals over 1,000 resamples of whole scenarios — the same resamples for every step and both models, so the
/// two curves compare paired.</summary>
public static class RevivalMeasure
{
    public static List<ReverseRow> Rows(string direction, string treatedName, Dictionary<int, double[]> original,
        SortedDictionary<int, Dictionary<int, double[]>> treated, SortedDictionary<int, Dictionary<int, double[]>> control, double fraction, ulong seed)
    {
        var scenarios = original.Keys.Order().ToArray();
        var steps = treated.Keys.ToArray();
        var all = Enumerable.Range(0, scenarios.Length).ToArray();
        var curves = new[] { (Name: treatedName, Curve: treated), (Name: "control", Curve: control) };
        var estimates = curves.Select(c => Statistics(c.Curve, all)).ToArray();
        var samples = curves.Select(_ => new List<(double[] R, double[] Revived, double Steps)>()).ToArray();
        foreach (var draw in ScenarioBootstrap.Draws(scenarios.Length, $"reverse:{direction}", seed))
            for (int m = 0; m < curves.Length; m++) samples[m].Add(Statistics(curves[m].Curve, draw));

        var rows = new List<ReverseRow>();
        for (int m = 0; m < curves.Length; m++)
        {
            for (int k = 0; k < steps.Length; k++)
            {
                int units = Pairs(curves[m].Curve[steps[k]], all).Count;
                rows.Add(Row(curves[m].Name, "r_with_original", steps[k], double.NaN, units, estimates[m].R[k], samples[m].Select(x => x.R[k])));
                rows.Add(Row(curves[m].Name, "revived_share", steps[k], double.NaN, units, estimates[m].Revived[k], samples[m].Select(x => x.Revived[k])));
            }
            rows.Add(Row(curves[m].Name, "steps_to_revive", double.NaN, fraction, scenarios.Length, estimates[m].Steps, samples[m].Select(x => x.Steps)));
        }
        for (int k = 0; k < steps.Length; k++)
            rows.Add(Row($"{treatedName}_minus_control", "revived_share", steps[k], double.NaN, scenarios.Length,
                estimates[0].Revived[k] - estimates[1].Revived[k], samples[0].Zip(samples[1], (a, b) => a.Revived[k] - b.Revived[k])));
        return rows;

        (double[] R, double[] Revived, double Steps) Statistics(SortedDictionary<int, Dictionary<int, double[]>> curve, int[] draw)
        {
            var r = steps.Select(t => ScenarioBootstrap.Pearson(Pairs(curve[t], draw))).ToArray();
            var revived = r.Select(x => Revived(x, r[0])).ToArray();
            return (r, revived, StepsToReach(steps, revived, fraction));
        }

        List<(double X, double Y)> Pairs(Dictionary<int, double[]> weights, int[] draw) =>
            draw.Select(i => scenarios[i]).Where(weights.ContainsKey)
                .SelectMany(s => Enumerable.Range(0, Scenario.AttributeCount).Select(a => (weights[s][a], original[s][a]))).ToList();

        ReverseRow Row(string model, string measure, double step, double f, int units, double estimate, IEnumerable<double> values)
        {
            var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
            bool enough = sorted.Count >= ScenarioBootstrap.Resamples / 2;
            return new ReverseRow(direction, model, measure, step, f, units, estimate,
                enough ? ScenarioBootstrap.Quantile(sorted, 0.025) : double.NaN, enough ? ScenarioBootstrap.Quantile(sorted, 0.975) : double.NaN);
        }
    }

    /// <summary>The share of the distance from the start (r0) to the original behaviour (r = 1) closed at r. A start
    /// already at the original counts as fully revived.</summary>
    public static double Revived(double r, double r0) => 1 - r0 < 1e-9 ? 1 : (r - r0) / (1 - r0);

    /// <summary>The first step at which the revived share reaches the fraction, linear between schedule steps; +∞ when
    /// it does not within the schedule.</summary>
    public static double StepsToReach(IReadOnlyList<int> steps, IReadOnlyList<double> revived, double fraction)
    {
        for (int k = 0; k < steps.Count; k++)
        {
            if (!(revived[k] >= fraction)) continue;
            if (k == 0) return steps[0];
            double below = double.IsFinite(revived[k - 1]) ? revived[k - 1] : 0;
            double t = (fraction - below) / (revived[k] - below);
            return steps[k - 1] + Math.Clamp(t, 0, 1) * (steps[k] - steps[k - 1]);
        }
        return double.PositiveInfinity;
    }
}
