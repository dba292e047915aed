using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.WhiteBox;

/// <summary>One figure of reverse fine-tuning. Per step: <c>r_with_original</c>, Pearson r of the model's weights with the
/// original model's over the (scenario, attribute) pairs — the share of the original behaviour present, since the original
/// model scores 1 against itself. Per model: <c>steps_to_revive</c>, the steps until r first reaches <see cref="Fraction"/>
/// (linear between schedule steps; 0 if it starts there; +∞ if not within the schedule). <see cref="Step"/> or <see cref="Fraction"/> is NaN where it does not apply.</summary>
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
        var samples = curves.Select(_ => new List<(double[] R, double Steps)>()).ToArray();
        foreach (var draw in ScenarioBootstrap.Draws(scenarios.Length, $"reverse:{direction}", seed))
            for (int m = 0; m < curves.Length; m++) samples[m].Add(Statistics(curves[m].Curve, draw));

        var rows = new List<ReverseRow>();
        for (int m = 0; m < curves.Length; m++)
        {
            for (int k = 0; k < steps.Length; k++)
            {
                int units = Pairs(curves[m].Curve[steps[k]], all).Count;
                rows.Add(Row(curves[m].Name, "r_with_original", steps[k], double.NaN, units, estimates[m].R[k], samples[m].Select(x => x.R[k])));
            }
            rows.Add(Row(curves[m].Name, "steps_to_revive", double.NaN, fraction, scenarios.Length, estimates[m].Steps, samples[m].Select(x => x.Steps)));
        }
        for (int k = 0; k < steps.Length; k++)
            rows.Add(Row($"{treatedName}_minus_control", "r_with_original", steps[k], double.NaN, scenarios.Length,
                estimates[0].R[k] - estimates[1].R[k], samples[0].Zip(samples[1], (a, b) => a.R[k] - b.R[k])));
        return rows;

        (double[] R, double Steps) Statistics(SortedDictionary<int, Dictionary<int, double[]>> curve, int[] draw)
        {
            var r = steps.Select(t => ScenarioBootstrap.Pearson(Pairs(curve[t], draw))).ToArray();
            return (r, StepsToReach(steps, r, fraction));
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

    /// <summary>The first step at which the measure reaches the fraction, linear between schedule steps; +∞ when
    /// it does not within the schedule.</summary>
    public static double StepsToReach(IReadOnlyList<int> steps, IReadOnlyList<double> measure, double fraction)
    {
        for (int k = 0; k < steps.Count; k++)
        {
            if (!(measure[k] >= fraction)) continue;
            if (k == 0) return steps[0];
            if (!double.IsFinite(measure[k - 1])) return steps[k];
            double t = (fraction - measure[k - 1]) / (measure[k] - measure[k - 1]);
            return steps[k - 1] + t * (steps[k] - steps[k - 1]);
        }
        return double.PositiveInfinity;
    }
}
