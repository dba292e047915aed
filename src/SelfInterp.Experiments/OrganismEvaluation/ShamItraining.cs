using System.Globalization;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// The sham itraining runs of an evaluation (<c>evaluate-organism --sham KIND</c>): beside each run, the same organism
/// and run seed with its introspection-training targets replaced (<see cref="ShamTargets"/>), so the tables show the
/// sham's itraining effect next to the real one. <c>permuted</c>: targets permuted across the training set's
/// scenarios; <c>other-seed</c>: the targets run seed s + 1 instils, for run seed s.
/// </summary>
public static class ShamItraining
{
    public const string Permuted = "permuted", OtherSeed = "other-seed";
    /// <summary>A sham run's directory is its run's with this and the kind after it.</summary>
    public const string DirectoryInfix = "-sham-";
    public static readonly string[] Kinds = [Permuted, OtherSeed];

    /// <summary>The run's itrain_targets setting for a sham of <paramref name="kind"/> at run seed <paramref name="seed"/>.</summary>
    public static string Setting(string kind, ulong seed) => kind switch
    {
        Permuted => ShamTargets.Permuted,
        OtherSeed => ShamTargets.SeedPrefix + (seed + 1).ToString(CultureInfo.InvariantCulture),
        _ => throw new UsageException($"--sham {kind}: unknown (known: {string.Join(", ", Kinds)})"),
    };

    /// <summary>The evaluation.csv column of a sham's measure, e.g. sham_permuted_itraining_effect_paired.</summary>
    public static string Column(string kind, string measure) => $"sham_{kind.Replace('-', '_')}_{measure}";
}
