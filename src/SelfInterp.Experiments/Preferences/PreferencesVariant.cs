using SelfInterp.Core.Backends;
using SelfInterp.Core.Pipeline;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Experiments.Preferences;

/// <summary>
/// Where an experiment built on the preferences protocol departs from it, without editing it: how trials become
/// fine-tuning examples, which of the protocol's stages run (and what follows them), and how the instilled scenarios
/// are split into the halves introspection training trains and tests on. <see cref="Paper"/> is the protocol itself.
/// </summary>
public sealed record PreferencesVariant
{
    /// <summary>The paper's protocol.</summary>
    public static readonly PreferencesVariant Paper = new();

    /// <summary>The decision examples of a set (<see cref="TrainingSet"/>, <see cref="ValidationSet"/>) from its trials,
    /// in order. Default: each trial's prompt answered by the target weights' choice.</summary>
    public Func<PreferencesPlan, string, IReadOnlyList<Trial>, IReadOnlyList<TrainingExample>> DecisionExamples { get; init; } =
        (plan, _, trials) => trials.Select(t => new TrainingExample(plan.DecisionPrompt(t), plan.TargetChoice(t).ToString())).ToList();

    /// <summary>The stages that run, given the protocol's (in run order). Default: all of them.</summary>
    public Func<IReadOnlyList<IStage>, IReadOnlyList<IStage>> Stages { get; init; } = stages => stages;

    /// <summary>The instilled scenarios split into the first and second half of introspection training. Default: in
    /// order, the first half of the list and the rest.</summary>
    public Func<IReadOnlyList<int>, (IReadOnlyList<int> First, IReadOnlyList<int> Second)> Halves { get; init; } =
        ids => (ids.Take(ids.Count / 2).ToList(), ids.Skip(ids.Count / 2).ToList());

    public const string TrainingSet = "training";
    public const string ValidationSet = "validation";
}
