using SelfInterp.Experiments.Behavior.Power;

namespace SelfInterp.Backends.Tests.Behavior;

/// <summary>The behaviour power analysis finds a self-aware agent every time and an agent that is not seldom.</summary>
public class BehaviorPowerTests
{
    [Fact]
    public async Task Power_is_high_for_a_self_aware_agent_and_the_false_positive_rate_low_for_one_that_is_not()
    {
        int done = 0;
        var rows = await BehaviorPower.RunAsync([new(1, 4, 1, 15), new(1, 4, 0, 15)], replicates: 8, seed: 3, () => done++);
        Assert.Equal(16, done);
        var (aware, blind) = (rows[0], rows[1]);
        Assert.Equal(1.0, aware.Rating);
        Assert.Equal(1.0, aware.Trigger);
        Assert.True(aware.MeanRatingDifference > 60, $"{aware}");
        Assert.True(blind.Rating <= 0.25 && blind.Description <= 0.25 && blind.Choice <= 0.25 && blind.Trigger <= 0.25, $"{blind}");
        Assert.InRange(blind.MeanRatingDifference, -10, 10);
        Assert.Contains("false-positive", BehaviorPower.Table(rows));
    }
}
