namespace SelfInterp.Engine.Training;

public sealed record TrainerOptions
{
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant(1e-3f);
    public float WeightDecay { get; init; } = 0.01f;
    public float Beta1 { get; init; } = 0.9f;
    public float Beta2 { get; init; } = 0.999f;
    public float Epsilon { get; init; } = 1e-8f;
    /// <summary>Global gradient-norm clip; 0 or less disables clipping.</summary>
    public float GradClip { get; init; } = 1f;
    /// <summary>Edits the gradients after the backward pass, before clipping (e.g. zeroes frozen parameters,
    /// so only chosen embedding rows train). Pair it with WeightDecay = 0, since decay ignores gradients.</summary>
    public Action<float[]>? GradientFilter { get; init; }
    /// <summary>Runs on the parameters after each optimiser step: a projection that keeps a constraint
    /// (e.g. rows of a table on a line) exact, whatever the optimiser did.</summary>
    public Action<float[]>? Constraint { get; init; }
}

/// <summary>What one optimiser step saw.</summary>
public readonly record struct StepResult(float Loss, float GradNorm, float LearningRate, int Targets);
