using SelfInterp.Analysis.Statistics;
using SelfInterp.Core.Random;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.Backends.Tests.OrganismEvaluation;

/// <summary>The ridge-probe ceiling on synthetic name vectors: it reaches what a linear read-out can where the
/// weights are written linearly in the vectors, and finds nothing where they are not.</summary>
public class RidgeCeilingTests
{
    private const int Dim = 48;
    private static readonly int[] First = Enumerable.Range(0, 25).ToArray(), Second = Enumerable.Range(25, 25).ToArray();

    private static (Func<int, int, double[]> Vector, Func<int, int, double> Target) World(bool linear, ulong seed)
    {
        var rng = new SeededStream("ridge-world", seed);
        var direction = Enumerable.Range(0, Dim).Select(_ => rng.NextGaussian()).ToArray();
        var vectors = new Dictionary<(int, int), double[]>();
        var targets = new Dictionary<(int, int), double>();
        foreach (var s in First.Concat(Second))
            for (int i = 0; i < 5; i++)
            {
                var x = Enumerable.Range(0, Dim).Select(_ => rng.NextGaussian()).ToArray();
                vectors[(s, i)] = x;
                targets[(s, i)] = linear ? 15 * x.Zip(direction, (a, b) => a * b).Sum() + 10 * rng.NextGaussian() : rng.Uniform(-100, 100);
            }
        return ((s, i) => vectors[(s, i)], (s, i) => targets[(s, i)]);
    }

    /// <summary>Learned weights = the targets (a perfect instillation), z-scored over all scenarios as the analysis does.</summary>
    private static Dictionary<int, StandardisedWeights> Learned(Func<int, int, double> target) =>
        ReportAccuracy.Standardise(First.Concat(Second).Select(s => (s, Enumerable.Range(0, 5).Select(i => target(s, i)).ToArray())).ToList());

    [Fact]
    public void Where_the_weights_are_linear_in_the_vectors_the_ceiling_is_near_1()
    {
        var (vector, target) = World(linear: true, 1);
        var c = RidgeCeiling.HeldOut(vector, target, First, Second, Learned(target))!;
        Assert.InRange(c.Slope, 0.85, 1.05);
        Assert.True(c.Low > 0.75);
        Assert.Equal(250, c.Pairs.Count); // both halves predicted, every attribute
    }

    /// <summary>Unrelated vectors and weights, 60 times: the ceiling's interval excludes 0 about as often as a 95%
    /// interval should by chance (3 expected), and its slopes average about 0.</summary>
    [Fact]
    public void Where_they_are_not_the_ceiling_finds_nothing()
    {
        int excluding = 0;
        double sum = 0;
        const int worlds = 60;
        for (ulong seed = 100; seed < 100 + worlds; seed++)
        {
            var (vector, target) = World(linear: false, seed);
            var c = RidgeCeiling.HeldOut(vector, target, First, Second, Learned(target))!;
            if (c.Low > 0 || c.High < 0) excluding++;
            sum += c.Slope;
        }
        // Without widening for the halves' shared fits, 15 of these 60 intervals excluded 0.
        Assert.True(excluding <= 8, $"{excluding} of {worlds} intervals exclude 0");
        Assert.InRange(sum / worlds, -0.05, 0.05);
    }

    [Fact]
    public void The_ceiling_is_scored_on_the_held_out_half_only()
    {
        // Targets linear in the vectors on the second half only: fitted on the first (noise), the second is not predicted;
        // fitted on the second, the first (noise) is not either. Scoring on the training half would find the second half's fit.
        var (vector, linearTarget) = World(linear: true, 3);
        var (_, noise) = World(linear: false, 4);
        double Target(int s, int i) => s >= 25 ? linearTarget(s, i) : noise(s, i);
        var c = RidgeCeiling.HeldOut(vector, Target, First, Second, Learned(Target))!;
        Assert.InRange(c.Slope, -0.25, 0.25);
    }
}
