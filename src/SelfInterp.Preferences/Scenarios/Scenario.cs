namespace SelfInterp.Preferences.Scenarios;

/// <summary>One attribute of a scenario: a snake_case name, its units and the range its values are drawn from.</summary>
public sealed record AttributeSpec(string Name, string Units, double Min, double Max)
{
    public double Range => Max - Min;

    /// <summary>The value's place in the attribute's range, 0 at min and 1 at max.</summary>
    public double Normalise(double value) => (value - Min) / Range;
}

/// <summary>A decision context: a question and exactly five attributes.</summary>
public sealed record Scenario(string ShortName, string Question, IReadOnlyList<AttributeSpec> Attributes)
{
    public const int AttributeCount = 5;
}
