using SelfInterp.Numerics;

namespace SelfInterp.Engine.Training;

/// <summary>Linear warm-up to the peak rate, then cosine decay to the minimum at <see cref="TotalSteps"/>.</summary>
public sealed record LearningRateSchedule(float PeakRate, float MinRate, int WarmupSteps, int TotalSteps)
{
    /// <summary>Rate for the 0-based step.</summary>
    public float At(int step)
    {
        if (step < WarmupSteps) return PeakRate * (step + 1) / WarmupSteps;
        if (TotalSteps <= WarmupSteps || step >= TotalSteps) return step >= TotalSteps ? MinRate : PeakRate;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return (float)(MinRate + 0.5 * (PeakRate - MinRate) * (1 + DeterministicMath.Cos(Math.PI * progress)));
    }

    public static LearningRateSchedule Constant(float rate) => new(rate, rate, 0, 0);
}
