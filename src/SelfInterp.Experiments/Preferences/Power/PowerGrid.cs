using System.Globalization;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>One point of the power grid: the experiment's size and the simulated observer's noise.</summary>
public sealed record PowerCell(int Scenarios, int Trials, double ChoiceNoise, double ReportNoise);

/// <summary>
/// The grid a power analysis sweeps (every combination of the four lists) and how each point is simulated:
/// replicates per point, reports per scenario, and the master seed the replicates' seeds derive from.
/// </summary>
public sealed record PowerGrid(
    IReadOnlyList<int> Scenarios,
    IReadOnlyList<int> Trials,
    IReadOnlyList<double> ChoiceNoise,
    IReadOnlyList<double> ReportNoise,
    int Replicates = 20,
    int Reports = 10,
    ulong Seed = 1)
{
    /// <summary>The points in a fixed order: scenarios, then trials, then choice noise, then report noise.</summary>
    public IReadOnlyList<PowerCell> Cells() =>
        (from s in Scenarios from t in Trials from c in ChoiceNoise from r in ReportNoise select new PowerCell(s, t, c, r)).ToList();

    /// <summary>Throws a <see cref="UsageException"/> naming the option (CLI spelling) of the first bad value.</summary>
    public void Validate(int catalogSize)
    {
        NonEmpty("--scenarios", Scenarios.Count);
        NonEmpty("--trials", Trials.Count);
        NonEmpty("--choice-noise", ChoiceNoise.Count);
        NonEmpty("--report-noise", ReportNoise.Count);
        foreach (var s in Scenarios)
        {
            // Instilled scenarios are split in halves for introspection training; native ones follow them in the catalog.
            if (s < 2 || s % 2 != 0) throw new UsageException($"--scenarios: {s} is not an even number ≥ 2 (instilled scenarios are split in halves)");
            if (NativeOffset(s) + s > catalogSize)
                throw new UsageException($"--scenarios: {s} instilled and {s} native scenarios need more than the catalog's {catalogSize}");
        }
        foreach (var t in Trials) if (t < 1) throw new UsageException($"--trials: {t} is not ≥ 1");
        foreach (var c in ChoiceNoise) NonNegative("--choice-noise", c);
        foreach (var r in ReportNoise) NonNegative("--report-noise", r);
        if (Replicates < 1) throw new UsageException($"--replicates: {Replicates} is not ≥ 1");
        if (Reports < 1) throw new UsageException($"--reports: {Reports} is not ≥ 1");
    }

    /// <summary>Native scenarios start at the paper's offset 100, or right after the instilled ones when there are more.</summary>
    public static int NativeOffset(int scenarios) => Math.Max(100, scenarios);

    private static void NonEmpty(string option, int count)
    {
        if (count == 0) throw new UsageException($"{option}: the list is empty");
    }

    private static void NonNegative(string option, double v)
    {
        if (!double.IsFinite(v) || v < 0) throw new UsageException($"{option}: {v.ToString(CultureInfo.InvariantCulture)} is not a non-negative number");
    }

    /// <summary>Parses a comma list of integers, e.g. "20,50,100"; an empty list or a non-integer names the option.</summary>
    public static int[] ParseInts(string option, string text) =>
        Items(option, text).Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new UsageException($"{option}: '{s}' is not an integer")).ToArray();

    /// <summary>Parses a comma list of numbers, e.g. "0,30,60"; an empty list or a non-number names the option.</summary>
    public static double[] ParseDoubles(string option, string text) =>
        Items(option, text).Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new UsageException($"{option}: '{s}' is not a number")).ToArray();

    private static string[] Items(string option, string text)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.All(s => s.Length == 0)) throw new UsageException($"{option}: the list is empty");
        if (items.Any(s => s.Length == 0)) throw new UsageException($"{option}: '{text}' has an empty item");
        return items;
    }
}
