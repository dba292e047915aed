using SelfInterp.Core.Random;

namespace SelfInterp.Preferences.Generation;

/// <summary>Preference weights: five integers with the largest |w| exactly 100 (PROTOCOL.md).</summary>
public static class Weights
{
    public static int[] Draw(SeededStream rng, int count = 5)
    {
        var raw = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u;
            do u = rng.Uniform(-100, 100); while (u == -100); // the open interval (-100, 100)
            raw[i] = u;
        }
        return ScaleToHundred(raw);
    }

    /// <summary>Scales so the largest |w| is 100 (sign kept), then rounds. Also used to rescale regression slopes.</summary>
    public static int[] ScaleToHundred(ReadOnlySpan<double> w)
    {
        double max = 0;
        foreach (var x in w) max = Math.Max(max, Math.Abs(x));
        var result = new int[w.Length];
        if (max == 0) return result;
        for (int i = 0; i < w.Length; i++)
            result[i] = (int)Math.Round(w[i] * 100 / max, MidpointRounding.AwayFromZero);
        return result;
    }
}
