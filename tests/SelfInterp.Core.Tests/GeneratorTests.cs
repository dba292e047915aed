using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Random;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Core.Tests;

public class GeneratorTests
{
    [Fact]
    public void Same_seed_same_numbers_different_seed_different_numbers()
    {
        var a = new SeededStream("x", 42);
        var b = new SeededStream("x", 42);
        var c = new SeededStream("x", 43);
        var xa = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray();
        Assert.Equal(xa, Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
        Assert.NotEqual(xa, Enumerable.Range(0, 100).Select(_ => c.NextUInt64()));
        Assert.NotEqual(SeededStream.DeriveSeed(1, "weights"), SeededStream.DeriveSeed(1, "role_shuffle"));
    }

    [Fact]
    public void Stream_is_pinned_across_machines()
    {
        // Pinned values: a change here changes every dataset ever built with SelfInterp.
        var s = new SeededStream("pin", 1);
        Assert.Equal(0xB3F2AF6D0FC710C5UL, s.NextUInt64());
    }

    [Fact]
    public void Uniform_doubles_lie_in_unit_interval_with_sane_mean()
    {
        var s = new SeededStream("u", 7);
        var xs = Enumerable.Range(0, 100_000).Select(_ => s.NextDouble()).ToArray();
        Assert.All(xs, x => Assert.InRange(x, 0, 1 - double.Epsilon));
        Assert.InRange(xs.Average(), 0.495, 0.505);
        var ints = Enumerable.Range(0, 60_000).Select(_ => s.NextInt(6)).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, ints.Count);
        Assert.All(ints.Values, n => Assert.InRange(n, 9_500, 10_500));
    }

    [Fact]
    public void Weights_are_integers_with_largest_magnitude_exactly_100()
    {
        var s = new SeededStream("weights", 3);
        for (int k = 0; k < 2000; k++)
        {
            var w = Weights.Draw(s);
            Assert.Equal(5, w.Length);
            Assert.Equal(100, w.Max(Math.Abs));
            Assert.All(w, x => Assert.InRange(x, -100, 100));
        }
    }

    [Fact]
    public void Scaling_keeps_sign_of_largest()
    {
        Assert.Equal([-100, 50, 0, 25, -13], Weights.ScaleToHundred([-8, 4, 0, 2, -1]));
        Assert.Equal([0, 0, 0], Weights.ScaleToHundred([0, 0, 0]));
    }

    [Theory]
    [InlineData(0.05, 3)]
    [InlineData(0.5, 2)]
    [InlineData(0.99, 2)]
    [InlineData(1, 1)]
    [InlineData(4.9, 1)]
    [InlineData(5, 0)]
    [InlineData(2500, 0)]
    public void Decimals_follow_the_range_rule(double range, int decimals) =>
        Assert.Equal(decimals, OptionValues.Decimals(range));

    [Fact]
    public void Every_value_of_every_shipped_attribute_lies_in_range_at_its_precision()
    {
        var catalog = ScenarioCatalog.Embedded();
        var s = new SeededStream("values", 11);
        foreach (var a in catalog.Scenarios.SelectMany(x => x.Attributes))
        {
            int d = OptionValues.Decimals(a.Range);
            for (int k = 0; k < 50; k++)
            {
                var v = OptionValues.Draw(a, s);
                Assert.InRange(v, a.Min, a.Max);
                Assert.Equal(v, Math.Round(v, d), 12);
            }
        }
    }

    [Fact]
    public void Endpoints_finer_than_the_precision_never_round_out_of_range()
    {
        var a = new AttributeSpec("x", "", 0.4, 99.5); // shown as integers
        var s = new SeededStream("edge", 5);
        for (int k = 0; k < 20_000; k++) Assert.InRange(OptionValues.Draw(a, s), 1, 99);
    }

    [Fact]
    public void Choice_follows_utility()
    {
        var sc = new Scenario("s", "q?", Enumerable.Range(0, 5).Select(i => new AttributeSpec($"a{i}", "", 0, 10)).ToList());
        var w = new[] { 100, -50, 0, 0, 0 };
        var t = new Trial(0, [10, 10, 0, 0, 0], [0, 0, 0, 0, 0]); // +100 - 50 > 0
        Assert.Equal('A', Utility.Choice(sc, w, t));
        Assert.Equal('B', Utility.Choice(sc, w, t with { A = t.B, B = t.A }));
        Assert.Equal('B', Utility.Choice(sc, w, t with { A = t.B })); // a tie is B
    }
}
