using System.Globalization;

namespace SelfInterp.Analysis.Report.Svg;

/// <summary>
/// Axis ticks at round numbers: steps of 1, 2, 2.5 or 5 times a power of ten, with the axis widened to the ticks
/// just outside the data. Of the steps giving 3 to 2·target − 1 ticks, the one that leaves the least empty axis
/// wins, with a small cost for each tick away from the target. Labels carry exactly the decimals the
/// step needs and a real minus sign.
/// </summary>
public sealed record NiceTicks(double Start, double End, double Step, IReadOnlyList<double> Values)
{
    private static readonly double[] Multipliers = [1, 2, 2.5, 5];

    public static NiceTicks For(double min, double max, int target = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentException($"ticks need finite bounds, got [{min}, {max}]");
        if (target < 2) throw new ArgumentOutOfRangeException(nameof(target), "at least two ticks");
        if (min > max) (min, max) = (max, min);
        if (min == max)
        {
            // One value: a unit-wide axis around it (or ±1 around 0), so it sits in the middle.
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }

        double raw = (max - min) / (target - 1);
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        NiceTicks? best = null;
        double bestScore = double.MaxValue;
        foreach (double p in new[] { power / 10, power, power * 10 })
            foreach (double m in Multipliers)
            {
                double step = m * p;
                double start = Math.Floor(min / step + 1e-9) * step;
                double end = Math.Ceiling(max / step - 1e-9) * step;
                int count = (int)Math.Round((end - start) / step) + 1;
                if (count < 3 || count > 2 * target - 1) continue;
                // Empty axis wastes the plot; each tick away from the target costs a little. On a tie the larger
                // step wins (fewer labels).
                double score = 1 - (max - min) / (end - start) + 0.05 * Math.Abs(count - target);
                if (score < bestScore - 1e-9 || (Math.Abs(score - bestScore) <= 1e-9 && step > best!.Step))
                    (best, bestScore) = (Make(start, step, count), score);
            }
        return best!;
    }

    private static NiceTicks Make(double start, double step, int count)
    {
        int decimals = Decimals(step);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = Math.Round(start + i * step, decimals + 1);
        return new NiceTicks(values[0], values[^1], step, values);
    }

    /// <summary>Decimals needed to print multiples of the step exactly (2.5 → 1, 0.25 → 2, 20 → 0).</summary>
    public static int Decimals(double step)
    {
        for (int d = 0; d < 10; d++)
        {
            double scaled = step * Math.Pow(10, d);
            if (scaled >= 1 - 1e-9 && Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * scaled) return d;
        }
        return 10;
    }

    public string Label(double value) => Format(value, Decimals(Step));

    /// <summary>A number for people: fixed decimals, invariant, U+2212 for minus, never "−0".</summary>
    public static string Format(double value, int decimals)
    {
        if (!double.IsFinite(value)) return "n/a";
        var s = Math.Round(value, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
        if (s.TrimStart('-').All(c => c is '0' or '.')) s = s.TrimStart('-');
        return s.Replace('-', '\u2212');
    }
}
