using SelfInterp.Experiments.Preferences.Power;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.Power;

public class PowerGridTests
{
    private static readonly PowerGrid Good = new([20], [50], [10], [30]);

    [Theory]
    [InlineData("--trials", "")]
    [InlineData("--trials", " , ")]
    [InlineData("--trials", "10,,20")]
    [InlineData("--trials", "ten")]
    [InlineData("--scenarios", "2.5")]
    public void Bad_integer_lists_name_the_option(string option, string text)
    {
        var e = Assert.Throws<UsageException>(() => PowerGrid.ParseInts(option, text));
        Assert.StartsWith(option + ":", e.Message);
    }

    [Fact]
    public void Lists_parse_with_spaces_and_invariant_decimals()
    {
        Assert.Equal([20, 50, 100], PowerGrid.ParseInts("--scenarios", "20, 50,100"));
        Assert.Equal([0, 2.5, 60], PowerGrid.ParseDoubles("--report-noise", "0,2.5, 60"));
    }

    [Fact]
    public void Bad_values_name_the_option()
    {
        void Fails(PowerGrid g, string option) =>
            Assert.StartsWith(option + ":", Assert.Throws<UsageException>(() => g.Validate(320)).Message);
        Fails(Good with { ChoiceNoise = [10, -5] }, "--choice-noise");
        Fails(Good with { ReportNoise = [double.NaN] }, "--report-noise");
        Fails(Good with { ReportNoise = [] }, "--report-noise");
        Fails(Good with { Scenarios = [21] }, "--scenarios");
        Fails(Good with { Scenarios = [200] }, "--scenarios");
        Fails(Good with { Trials = [0] }, "--trials");
        Fails(Good with { Replicates = 0 }, "--replicates");
        Fails(Good with { Reports = 0 }, "--reports");
        Good.Validate(320);
    }

    [Fact]
    public void Cells_cover_every_combination_in_order()
    {
        var cells = new PowerGrid([20, 50], [25], [5, 10], [0, 30, 60]).Cells();
        Assert.Equal(12, cells.Count);
        Assert.Equal(new PowerCell(20, 25, 5, 0), cells[0]);
        Assert.Equal(new PowerCell(20, 25, 5, 30), cells[1]);
        Assert.Equal(new PowerCell(50, 25, 10, 60), cells[^1]);
    }

    [Fact]
    public void Quantiles_follow_type_7_and_skip_missing_values()
    {
        var d = Distribution.Of([5, 1, double.NaN, 3, 2, 4]);
        Assert.Equal(5, d.N);
        Assert.Equal(3, d.Mean, 12);
        Assert.Equal(1.1, d.Low, 12);
        Assert.Equal(4.9, d.High, 12);
        Assert.Equal(0, Distribution.Of([double.NaN]).N);
    }

    [Fact]
    public void Replicate_seeds_differ_by_replicate_but_not_by_grid_point()
    {
        Assert.NotEqual(PowerReplicate.SeedOf(1, 0), PowerReplicate.SeedOf(1, 1));
        Assert.NotEqual(PowerReplicate.SeedOf(1, 0), PowerReplicate.SeedOf(2, 0));
        var a = PowerReplicate.ConfigOf(new PowerCell(10, 20, 5, 0), 10, 99);
        var b = PowerReplicate.ConfigOf(new PowerCell(10, 50, 20, 60), 10, 99);
        Assert.Equal(a.Seeds, b.Seeds);
        Assert.Equal("20", b.BackendOptions["choice_noise"]);
        Assert.Equal(50, SelfInterp.Experiments.Preferences.PreferencesConfig.From(b).NativeSelections);
        Assert.Empty(SelfInterp.Experiments.Preferences.PreferencesConfig.From(a).Problems(320));
    }
}
