using SelfInterp.Analysis.Statistics;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.WhiteBox;

/// <summary>A model's preference weights read from its decisions: least squares of logit P(A) on the five
/// attributes' range-normalised differences A − B (with an intercept for a side bias). With P(A) in hand this
/// needs no sampling of choices; the paper's presentation scales the slopes so the largest |slope| is 100.</summary>
public static class ChoiceWeights
{
    /// <summary>The five slopes (logit per full-range difference).</summary>
    public static double[] Slopes(Scenario scenario, IReadOnlyList<Trial> trials, IReadOnlyList<double> logits)
    {
        var x = trials.Select(t =>
        {
            var row = new double[1 + Scenario.AttributeCount];
            row[0] = 1;
            for (int i = 0; i < Scenario.AttributeCount; i++)
            {
                var a = scenario.Attributes[i];
                row[1 + i] = a.Normalise(t.A[i]) - a.Normalise(t.B[i]);
            }
            return row;
        }).ToList();
        var fit = LeastSquares.Fit(x, logits) ?? throw new InvalidOperationException($"scenario {scenario.ShortName}: too few trials to estimate choice weights");
        return fit.Coefficients[1..];
    }

    /// <summary>Slopes on the paper's scale: the largest |slope| of <paramref name="reference"/> becomes 100.</summary>
    public static double[] Scaled(double[] slopes, double[] reference)
    {
        double max = reference.Max(Math.Abs);
        return slopes.Select(s => max > 0 ? 100 * s / max : 0).ToArray();
    }

    /// <summary>Each scenario's weights on the paper's scale (its own largest |weight| 100), from P(A) on its trials.</summary>
    public static Dictionary<int, double[]> Of(Observer observer, Experiments.Preferences.PreferencesPlan plan, Dictionary<int, List<Trial>> draws) =>
        draws.ToDictionary(kv => kv.Key, kv =>
        {
            var slopes = Slopes(plan.Scenario(kv.Key), kv.Value, observer.DecisionLogits(kv.Value));
            return Scaled(slopes, slopes);
        });
}
