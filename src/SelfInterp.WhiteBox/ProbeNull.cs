using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox;

/// <summary>A probe's score beside the distribution of the same score on targets with their link to the features
/// broken: the null's 95th percentile and a one-sided permutation p-value, (1 + draws at or above the score) / (1 + draws).</summary>
public sealed record NullComparison(double P95, double P, int Draws)
{
    public static readonly NullComparison None = new(double.NaN, double.NaN, 0);

    public static NullComparison Of(double observed, IReadOnlyList<double> draws)
    {
        if (draws.Count == 0) return None;
        var sorted = draws.Order().ToList();
        int atOrAbove = draws.Count(d => d >= observed);
        return new NullComparison(ScenarioBootstrap.Quantile(sorted, 0.95), (1.0 + atOrAbove) / (1.0 + draws.Count), draws.Count);
    }
}

/// <summary>Two nulls for a cross-validated probe, each refitting the whole probe (penalty tuning included) on
/// re-assigned targets, so the null carries every way the pipeline can score above 0 by itself:
/// <list type="bullet">
/// <item><b>shuffled labels</b>: the targets shuffled across all units;</item>
/// <item><b>scenario permutation</b>: whole scenarios' targets exchanged between scenarios (unit k of scenario s gets
/// the target of unit k of scenario π(s); scenarios with as many units), which keeps whatever structure a scenario's
/// targets share (an attribute's place, the scaling to a largest |weight| of 100) and breaks only the link to the names.</item>
/// </list>
/// Draws come from the streams "whitebox:probe_null:{shuffled|permuted}:{label}".</summary>
public static class ProbeNull
{
    public sealed record Result(double[] Predicted, NullComparison Shuffled, NullComparison Permuted);

    /// <summary>Out-of-fold predictions of the real targets (as <see cref="RidgeProbe.CrossValidated(IReadOnlyList{float[]}, IReadOnlyList{double}, IReadOnlyList{int}, int, ulong)"/>
    /// gives them) and, with <paramref name="draws"/> above 0, held-out r on each null's targets against the real r.</summary>
    public static Result Run(IReadOnlyList<float[]> x, IReadOnlyList<double> y, IReadOnlyList<int> groups, int folds, ulong seed, int draws, string label)
    {
        var ys = new List<IReadOnlyList<double>> { y };
        var shuffleRng = new SeededStream("whitebox:probe_null:shuffled:" + label, seed);
        var permuteRng = new SeededStream("whitebox:probe_null:permuted:" + label, seed);
        for (int b = 0; b < draws; b++) ys.Add(Shuffled(y, shuffleRng));
        for (int b = 0; b < draws; b++) ys.Add(PermutedByGroup(y, groups, permuteRng));
        var predictions = RidgeProbe.CrossValidated(x, ys, groups, folds, seed);
        double R(int t) => ScenarioBootstrap.Pearson(predictions[t].Select((p, i) => (p, ys[t][i])).ToList());
        double observed = R(0);
        return new Result(predictions[0],
            NullComparison.Of(observed, Enumerable.Range(1, draws).Select(R).Where(double.IsFinite).ToList()),
            NullComparison.Of(observed, Enumerable.Range(1 + draws, draws).Select(R).Where(double.IsFinite).ToList()));
    }

    public static double[] Shuffled(IReadOnlyList<double> y, SeededStream rng)
    {
        var copy = y.ToArray();
        rng.Shuffle(copy);
        return copy;
    }

    /// <summary>Whole groups' targets exchanged among groups with as many units, each unit keeping its place in its group.</summary>
    public static double[] PermutedByGroup(IReadOnlyList<double> y, IReadOnlyList<int> groups, SeededStream rng)
    {
        var members = Enumerable.Range(0, y.Count).GroupBy(i => groups[i]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var result = new double[y.Count];
        foreach (var sameSize in members.GroupBy(m => m.Count).OrderBy(g => g.Key))
        {
            var blocks = sameSize.ToList();
            var sources = blocks.ToList();
            rng.Shuffle(sources);
            for (int b = 0; b < blocks.Count; b++)
                for (int k = 0; k < blocks[b].Count; k++) result[blocks[b][k]] = y[sources[b][k]];
        }
        return result;
    }
}
