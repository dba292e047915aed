namespace SelfInterp.Analysis.Regression;

/// <summary>The paper's presentation of learned weights: slopes scaled so the largest |slope| is 100, sign kept, rounded.</summary>
public static class WeightScaling
{
    /// <summary>False when every slope is zero (or not finite), so no scale exists.</summary>
    public static bool TryScaleToHundred(ReadOnlySpan<double> slopes, Span<int> weights)
    {
        double max = 0;
        foreach (var s in slopes)
        {
            if (!double.IsFinite(s)) return false;
            max = Math.Max(max, Math.Abs(s));
        }
        if (max == 0) return false;
        // Math.Round's default (half to even) is R's round(), which the paper's analysis used.
        for (int i = 0; i < slopes.Length; i++) weights[i] = (int)Math.Round(100 * slopes[i] / max);
        return true;
    }
}
