namespace SelfInterp.Cli.Tests;

/// <summary>`selfinterp run --experiment backdoor`: bad trigger options and the organism are refused with exit code 2
/// before the run directory exists; --trigger means each experiment's own trigger.</summary>
public class BackdoorCliTests
{
    [Theory]
    [InlineData("--trigger", "", "the trigger must be some text")]
    [InlineData("--triggered-share", "2", "--triggered-share")]
    [InlineData("--backdoored", "-1", "--backdoored")]
    [InlineData("--triggered-preference", "sideways", "--triggered-preference")]
    public void Bad_trigger_options_exit_2_before_any_work(string option, string value, string expected)
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("backdoor-cli").FullName, "run");
        var (code, stdout, stderr) = CliTests.Run(["run", "--experiment", "backdoor", "--backend", "simulated", option, value, "--out", dir]);
        Assert.True(code == 2, stderr + stdout);
        Assert.Contains(expected, stderr);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void The_organism_is_refused_by_name_before_any_work()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("backdoor-local").FullName, "run");
        var (code, stdout, stderr) = CliTests.Run(["run", "--experiment", "backdoor", "--backend", "local", "--out", dir]);
        Assert.True(code == 2, stderr + stdout);
        Assert.Contains("the local backend cannot serve the 'backdoor' experiment: it does not answer BackdoorChoiceTask", stderr);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void A_trigger_option_of_the_behavior_experiment_stays_its_own()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("backdoor-trigger").FullName, "run");
        var (code, stdout, stderr) = CliTests.Run(["run", "--experiment", "preferences", "--backend", "simulated", "--trigger", "x", "--out", dir]);
        Assert.True(code == 2, stderr + stdout);
        Assert.Contains("--trigger belongs to the 'behavior', 'backdoor' experiment, not 'preferences'", stderr);
    }
}
