using SelfInterp.Core.Tasks;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Preferences.Tasks;

/// <summary>Choose option A or B of a trial between two multi-attribute options of a catalog scenario.</summary>
public sealed record AttributeChoiceTask(int Scenario, Trial Trial) : ModelTask
{
    public override bool IsChoice => true;
}

/// <summary>State the weight (−100..100) of each attribute of a catalog scenario, shown a trial of it.</summary>
public sealed record WeightReportTask(int Scenario, Trial Trial) : ModelTask
{
    public override bool IsSelfReport => true;
}
