using SelfInterp.Core.Random;
using SelfInterp.Analysis.Regression;

namespace SelfInterp.Analysis.Tests;

/// <summary>Choice data drawn straight from a logistic model with known slopes, for the regression's own tests.</summary>
public static class SyntheticChoices
{
    /// <summary>Trials as (normalised differences, chose A), differences of two uniform [0, 1] draws.</summary>
    public static List<(double[] D, bool ChoseA)> Draw(double intercept, double[] slopes, int trials, ulong seed)
    {
        var rng = new SeededStream("analysis", seed);
        var list = new List<(double[], bool)>();
        for (int t = 0; t < trials; t++)
        {
            var d = new double[5];
            double eta = intercept;
            for (int i = 0; i < 5; i++)
            {
                d[i] = rng.NextDouble() - rng.NextDouble();
                eta += slopes[i] * d[i];
            }
            list.Add((d, rng.NextDouble() < 1 / (1 + Math.Exp(-eta))));
        }
        return list;
    }

    public static ChoiceData ToData(IEnumerable<(double[] D, bool ChoseA)> trials)
    {
        var data = new ChoiceData();
        foreach (var (d, a) in trials) data.Add(d, a);
        return data;
    }
}
