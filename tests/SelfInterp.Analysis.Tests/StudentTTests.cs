using SelfInterp.Analysis.Statistics;

namespace SelfInterp.Analysis.Tests;

public class StudentTTests
{
    [Theory]
    // 97.5% quantiles from standard tables
    [InlineData(1, 12.7062047361747)]
    [InlineData(2, 4.30265272974946)]
    [InlineData(5, 2.57058183563631)]
    [InlineData(10, 2.22813885198627)]
    [InlineData(30, 2.04227245630124)]
    [InlineData(100, 1.98397151852355)]
    public void Quantiles_match_tables(int df, double expected) =>
        Assert.Equal(expected, StudentT.Critical95(df), 9);

    [Theory]
    [InlineData(1000, 1.962339)]
    [InlineData(100_000, 1.959988)]
    public void Large_df_quantiles_match_tables(int df, double expected) =>
        Assert.Equal(expected, StudentT.Critical95(df), 6);

    [Theory]
    [InlineData(200)]
    [InlineData(1000)]
    public void The_large_df_expansion_agrees_with_the_exact_series_where_they_meet(int df) =>
        Assert.Equal(StudentT.TwoSidedQuantile(0.95, df), StudentT.Expansion975(df), df >= 1000 ? 12 : 9);

    [Fact]
    public void The_central_probability_is_a_distribution()
    {
        foreach (int df in new[] { 1, 2, 7, 40 })
        {
            Assert.Equal(0, StudentT.CentralProbability(0, df), 15);
            Assert.True(StudentT.CentralProbability(1e6, df) > 0.999);
            Assert.True(StudentT.CentralProbability(1, df) < StudentT.CentralProbability(1.1, df));
        }
    }
}
