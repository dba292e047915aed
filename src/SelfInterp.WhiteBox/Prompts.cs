using SelfInterp.Organisms;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.WhiteBox;

/// <summary>Where things sit in the organism's prompts (see <see cref="OrganismPercept"/>):
/// decision <c>decide (name mA mB)×5 answer</c>, report <c>report name×5 (name mA mB)×5 answer</c>.</summary>
public static class PromptPositions
{
    public const int DecisionLength = 2 + 3 * Scenario.AttributeCount;
    public const int ReportLength = 2 + 4 * Scenario.AttributeCount;

    public static int DecisionName(int attribute) => 1 + 3 * attribute;
    public static int DecisionAnswer => DecisionLength - 1;
    /// <summary>The attribute's name in the report's list of names (before any magnitude is seen).</summary>
    public static int ReportListedName(int attribute) => 1 + attribute;
    /// <summary>The attribute's name in the report's trial part.</summary>
    public static int ReportTrialName(int attribute) => 1 + Scenario.AttributeCount + 3 * attribute;
    public static int ReportAnswer => ReportLength - 1;
}
