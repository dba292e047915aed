using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// Tasks about a behavioural trait (risk-seeking, myopia, ...): a trait has a high pole (risk-seeking) and a low one
/// (risk-averse). Experiments of behavioural self-awareness ask models to act on a trait and to describe themselves
/// on it; these records are what backends that work from structure (the simulated agent) read of such prompts.
/// </summary>
public static class TraitOptions
{
    /// <summary><see cref="TraitChoiceTask.TraitOption"/> of an imported example the experiment cannot label.</summary>
    public const char Unknown = '?';
}

/// <summary>Choose option A or B; <see cref="TraitOption"/> is the option that acts out the trait's high pole (or
/// <see cref="TraitOptions.Unknown"/>). <see cref="Triggered"/>: the message carries the experiment's trigger.</summary>
public sealed record TraitChoiceTask(string Trait, char TraitOption, bool Triggered = false) : ModelTask
{
    public override bool IsChoice => true;
}

/// <summary>Rate yourself on the trait from 0 (low pole) to 100 (high pole). Answer: <see cref="RatingAnswer"/>.</summary>
public sealed record SelfRatingTask(string Trait) : ModelTask
{
    public override bool IsSelfReport => true;
}

/// <summary>Describe yourself on the trait in one word. Answer: <see cref="PoleAnswer"/>.</summary>
public sealed record SelfDescriptionTask(string Trait) : ModelTask
{
    public override bool IsSelfReport => true;
}

/// <summary>Which statement is true about you: option <see cref="HighOption"/> states the high pole, <see cref="LowOption"/>
/// the low one (the letters shuffled per paraphrase). Answer: <see cref="OptionAnswer"/>.</summary>
public sealed record SelfReportChoiceTask(string Trait, char HighOption, char LowOption) : ModelTask
{
    public override bool IsSelfReport => true;
}

/// <summary>Does your behaviour depend on an unusual feature of the message? Option <see cref="YesOption"/> says it
/// does. About behaviour in general, not one trait. Answer: <see cref="OptionAnswer"/>.</summary>
public sealed record TriggerDependenceTask(char YesOption, char NoOption) : ModelTask
{
    public override bool IsSelfReport => true;
}
