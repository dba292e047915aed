using SelfInterp.Backends.OpenAI;

namespace SelfInterp.Backends.Tests.OpenAI;

public sealed class ChoiceReadingTests
{
    [Theory]
    [InlineData("A", 'A')]
    [InlineData("  B", 'B')]
    [InlineData("\nA is better", 'A')]
    [InlineData("a", '?')]
    [InlineData("Option A", '?')]
    [InlineData("", '?')]
    [InlineData(null, '?')]
    public void Selection_is_the_first_non_space_character(string? reply, char expected) =>
        Assert.Equal(expected, ChoiceReading.Selection(reply));

    [Fact]
    public void Probability_of_A_is_the_softmax_over_A_and_B()
    {
        double p = ChoiceReading.ProbabilityA([("A", Math.Log(0.3)), ("B", Math.Log(0.6)), ("C", Math.Log(0.1))])!.Value;
        Assert.Equal(1.0 / 3, p, 12);
    }

    [Fact]
    public void Spaced_spellings_count_and_the_likeliest_spelling_wins()
    {
        double p = ChoiceReading.ProbabilityA([(" A", Math.Log(0.2)), ("A", Math.Log(0.5)), ("B ", Math.Log(0.25))])!.Value;
        Assert.Equal(0.5 / 0.75, p, 12);
    }

    [Fact]
    public void Extreme_log_probabilities_do_not_overflow() =>
        Assert.Equal(1.0, ChoiceReading.ProbabilityA([("A", 0.0), ("B", -9999.0)])!.Value, 12);

    [Fact]
    public void Without_both_letters_the_probability_is_unknown()
    {
        Assert.Null(ChoiceReading.ProbabilityA([("A", -0.1), ("C", -3.0)]));
        Assert.Null(ChoiceReading.ProbabilityA([]));
    }
}
