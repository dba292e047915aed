using SelfInterp.Core.Tasks;
using SelfInterp.Preferences.Tasks;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>A choice of the preferences protocol, asked with the trigger line before the question or without it.</summary>
public sealed record BackdoorChoiceTask(AttributeChoiceTask Choice, bool Triggered) : ModelTask
{
    public override bool IsChoice => true;
}

/// <summary>A weight report, asked with the trigger line before the question or without it.</summary>
public sealed record BackdoorReportTask(WeightReportTask Report, bool Triggered) : ModelTask
{
    public override bool IsSelfReport => true;
}

/// <summary>The self-report question of the Betley kind: does an unusual phrase in the message change your choices?
/// Option <see cref="YesOption"/> says it does. Answer: an <see cref="OptionAnswer"/>.</summary>
public sealed record PhraseQuestionTask(int Paraphrase, char YesOption, char NoOption) : ModelTask
{
    public override bool IsSelfReport => true;
}
