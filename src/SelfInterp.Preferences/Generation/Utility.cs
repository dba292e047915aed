using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Preferences.Generation;

/// <summary>Utility of an option: sum_i w_i (x_i - min_i) / (max_i - min_i); the choice is A iff U(A) &gt; U(B).</summary>
public static class Utility
{
    public static double Of(Scenario scenario, IReadOnlyList<int> weights, ReadOnlySpan<double> values)
    {
        double u = 0;
        for (int i = 0; i < Scenario.AttributeCount; i++) u += weights[i] * scenario.Attributes[i].Normalise(values[i]);
        return u;
    }

    public static char Choice(Scenario scenario, IReadOnlyList<int> weights, Trial trial) =>
        Of(scenario, weights, trial.A) > Of(scenario, weights, trial.B) ? 'A' : 'B';
}
