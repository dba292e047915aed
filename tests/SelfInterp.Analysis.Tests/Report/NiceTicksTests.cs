using SelfInterp.Analysis.Report.Svg;

namespace SelfInterp.Analysis.Tests.Report;

public class NiceTicksTests
{
    [Theory]
    [InlineData(-100, 100, new[] { -100.0, -50, 0, 50, 100 })]
    [InlineData(0, 0.93, new[] { 0.0, 0.25, 0.5, 0.75, 1 })]
    [InlineData(-1.7, 2.3, new[] { -2.0, -1, 0, 1, 2, 3 })] // not −2..4 by 2: a third of that axis would be empty
    [InlineData(-2.7, 2.5, new[] { -3.0, -2, -1, 0, 1, 2, 3 })]
    [InlineData(3, 3, new[] { 2.7, 2.8, 2.9, 3, 3.1, 3.2, 3.3 })]
    [InlineData(0, 0, new[] { -1.0, -0.5, 0, 0.5, 1 })]
    [InlineData(0.0012, 0.0049, new[] { 0.001, 0.002, 0.003, 0.004, 0.005 })]
    public void Ticks_are_round_numbers_covering_the_data(double min, double max, double[] expected)
    {
        var ticks = NiceTicks.For(min, max);
        Assert.Equal(expected.Length, ticks.Values.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], ticks.Values[i], 9);
        Assert.Equal(ticks.Values[0], ticks.Start);
        Assert.Equal(ticks.Values[^1], ticks.End);
    }

    [Fact]
    public void Random_ranges_get_nice_steps_few_ticks_and_full_cover()
    {
        var rng = new Random(7);
        for (int k = 0; k < 2000; k++)
        {
            double scale = Math.Pow(10, rng.Next(-4, 6));
            double a = (rng.NextDouble() * 2 - 1) * scale, b = a + rng.NextDouble() * scale;
            var t = NiceTicks.For(a, b);
            Assert.True(t.Start <= a + 1e-12 * scale && t.End >= b - 1e-12 * scale, $"[{a}, {b}] not covered by [{t.Start}, {t.End}]");
            Assert.InRange(t.Values.Count, 3, 9);
            double mantissa = t.Step / Math.Pow(10, Math.Floor(Math.Log10(t.Step) + 1e-9));
            Assert.Contains(Math.Round(mantissa, 6), new[] { 1, 2, 2.5, 5 });
            for (int i = 1; i < t.Values.Count; i++) Assert.Equal(t.Step, t.Values[i] - t.Values[i - 1], 6 * Math.Abs(t.Step));
            // The first tick lies within one step of the data, so the axis is not padded with empty space.
            Assert.True(a - t.Start < t.Step + 1e-9 * scale && t.End - b < t.Step + 1e-9 * scale);
        }
    }

    [Fact]
    public void Labels_have_the_decimals_of_the_step_a_real_minus_and_no_negative_zero()
    {
        var t = NiceTicks.For(-0.5, 0.5);
        Assert.Equal(["\u22120.50", "\u22120.25", "0.00", "0.25", "0.50"], t.Values.Select(t.Label));
        Assert.Equal(["\u2212100", "\u221250", "0", "50", "100"], NiceTicks.For(-100, 100).Values.Select(NiceTicks.For(-100, 100).Label));
        Assert.Equal("0.00", NiceTicks.Format(-0.0001, 2));
        Assert.Equal("n/a", NiceTicks.Format(double.NaN, 2));
        Assert.Equal(1, NiceTicks.Decimals(2.5));
        Assert.Equal(0, NiceTicks.Decimals(20));
    }

    [Fact]
    public void Non_finite_bounds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NiceTicks.For(double.NaN, 1));
        Assert.Throws<ArgumentException>(() => NiceTicks.For(0, double.PositiveInfinity));
    }

    [Fact]
    public void Scale_maps_domain_ends_to_range_ends_even_backwards()
    {
        var y = new LinearScale(-1, 1, 300, 20);
        Assert.Equal(300, y.Map(-1), 9);
        Assert.Equal(20, y.Map(1), 9);
        Assert.Equal(160, y.Map(0), 9);
        Assert.True(y.Contains(0.5));
        Assert.False(y.Contains(1.01));
    }
}
