using SelfInterp.Core.Random;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Preferences.Generation;

/// <summary>Option values: uniform in [min, max], rounded by the size of the range (PROTOCOL.md).</summary>
public static class OptionValues
{
    /// <summary>Decimals shown for a range r: r &lt; 1 → |floor(log10 r)| + 1; r &lt; 5 → 1; else 0.</summary>
    public static int Decimals(double range)
    {
        if (range < 1) return (int)Math.Abs(Math.Floor(Math.Log10(range))) + 1;
        if (range < 5) return 1;
        return 0;
    }

    public static double Draw(AttributeSpec attribute, SeededStream rng)
    {
        int decimals = Decimals(attribute.Range);
        double v = Math.Round(rng.Uniform(attribute.Min, attribute.Max), decimals, MidpointRounding.AwayFromZero);
        // An endpoint finer than the shown precision (max 99.5 shown as integers) could round outside the range:
        // step back inside, staying on the precision's grid.
        double step = Math.Pow(10, -decimals);
        if (v > attribute.Max) v = Math.Round(Math.Floor(attribute.Max / step) * step, decimals);
        if (v < attribute.Min) v = Math.Round(Math.Ceiling(attribute.Min / step) * step, decimals);
        return v;
    }

    public static Trial DrawTrial(int scenarioId, Scenario scenario, SeededStream rng)
    {
        var a = new double[Scenario.AttributeCount];
        var b = new double[Scenario.AttributeCount];
        for (int i = 0; i < Scenario.AttributeCount; i++) a[i] = Draw(scenario.Attributes[i], rng);
        for (int i = 0; i < Scenario.AttributeCount; i++) b[i] = Draw(scenario.Attributes[i], rng);
        return new Trial(scenarioId, a, b);
    }

    /// <summary>The value as shown in a prompt and in the CSVs: fixed decimals, invariant culture.</summary>
    public static string Format(double value, AttributeSpec attribute) =>
        value.ToString("F" + Decimals(attribute.Range), System.Globalization.CultureInfo.InvariantCulture);
}
