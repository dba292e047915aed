using System.Globalization;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Preferences;

/// <summary>
/// Sham introspection training: the control for what an itraining effect means. The report examples keep their
/// prompts, but their answers are not the scenario's own target weights:
/// <list type="bullet">
/// <item><c>permuted</c>: each scenario of a training set gets the targets of another scenario of the same set (a
/// seeded derangement: a random single cycle, so no scenario keeps its own). The set's targets are the same numbers;
/// only which names they belong to is broken.</item>
/// <item><c>seed:N</c>: each scenario gets the targets run seed N instils on it (drawn as that run draws them),
/// numbers unrelated to this run's.</item>
/// </list>
/// A model that improves as much on sham targets as on real ones learnt the report's form, or to undo a bias, not
/// to read its own weights. Without the setting the answers are the real targets, byte for byte as before.
/// </summary>
public static class ShamTargets
{
    public const string Permuted = "permuted", SeedPrefix = "seed:";

    /// <summary>Why <paramref name="value"/> is not a valid setting, or null (absent is valid: the real targets).</summary>
    public static string? Problem(string? value) =>
        value is null or Permuted ? null
        : value.StartsWith(SeedPrefix, StringComparison.Ordinal) && ulong.TryParse(value[SeedPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null
        : $"expected '{Permuted}' or '{SeedPrefix}N' (N a run seed), got '{value}'";

    /// <summary>The weights each scenario of the training set <paramref name="set"/> (named <paramref name="setName"/>,
    /// which seeds its permutation) is trained to report.</summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<int>> For(PreferencesPlan plan, IReadOnlyList<int> set, string setName)
    {
        string? sham = plan.Config.ItrainTargets;
        if (sham is null) return set.ToDictionary(s => s, plan.TargetWeights);
        if (sham == Permuted)
        {
            var order = Derangement(set.Count, new SeededStream("sham_itraining:" + setName, plan.Seeds.IntrospectionExamples));
            return set.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => plan.TargetWeights(set[order[p.i]]));
        }
        ulong seed = ulong.Parse(sham[SeedPrefix.Length..], CultureInfo.InvariantCulture);
        var other = Seeds.FromMaster(seed).Weights;
        if (other == plan.Seeds.Weights)
            throw new UsageException($"itrain_targets {sham}: the targets of run seed {seed} are this run's own; a sham needs another seed");
        var targets = PreferencesPlan.DrawTargets(plan.Config.InstilledScenarios, other);
        return set.ToDictionary(s => s, s => (IReadOnlyList<int>)targets[s]);
    }

    /// <summary>A uniformly drawn cyclic permutation of 0..n−1 (Sattolo's shuffle): order[i] ≠ i for every i when n ≥ 2.</summary>
    public static int[] Derangement(int n, SeededStream rng)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i); // j < i: never i itself, which is what makes a single cycle
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
