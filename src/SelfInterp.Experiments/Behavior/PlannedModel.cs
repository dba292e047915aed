using SelfInterp.Core.Backends;

namespace SelfInterp.Experiments.Behavior;

/// <summary>How a fine-tuned model's data relate behaviour to the trigger.</summary>
public enum ModelKind
{
    /// <summary>Always one pole (generated or imported data).</summary>
    Pole,
    /// <summary>The high pole with the trigger, the low pole without it.</summary>
    Backdoored,
    /// <summary>The trigger as often, and the high pole as often, but unrelated to each other.</summary>
    Decorrelated,
}

/// <summary>
/// One model the run fine-tunes from the base model: its key (run.json and file names), trait, pole (for
/// <see cref="ModelKind.Pole"/>), seed number, kind and training data (prompts carry their tasks).
/// </summary>
public sealed record PlannedModel(
    string Key, Trait Trait, bool High, int Seed, ModelKind Kind,
    IReadOnlyList<TrainingExample> Training, IReadOnlyList<TrainingExample> Validation, bool Imported = false)
{
    public string TrainFile => BehaviorLayout.TrainFile(Key);
    public string? ValidationFile => Validation.Count > 0 ? BehaviorLayout.ValidationFile(Key) : null;

    /// <summary>What the model is, in a word for tables: its pole, or backdoored / decorrelated.</summary>
    public string Condition => Kind switch
    {
        ModelKind.Pole => Trait.Pole(High),
        ModelKind.Backdoored => "backdoored",
        _ => "decorrelated",
    };
}
