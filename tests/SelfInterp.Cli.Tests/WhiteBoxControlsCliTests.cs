using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Cli.Tests;

/// <summary>The white-box controls' options refuse bad values with exit code 2 and one line naming the option, before
/// any model is loaded (the run here is a simulated one, which the lab would refuse next).</summary>
public class WhiteBoxControlsCliTests
{
    static string SimulatedRun()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("controls").FullName, "run");
        using (RunDirectory.OpenOrCreate(dir, PreferencesExperiment.Config("quick") with { Backend = "simulated", BaseModel = "simulated-base" })) { }
        return dir;
    }

    [Theory]
    [InlineData("intervene", "--steer", "10,x", "--steer: 'x'")]
    [InlineData("intervene", "--steer", "10,10", "--steer: '10'")]
    [InlineData("intervene", "--steer", "0,25", "--steer: need at least two strengths other than 0")]
    [InlineData("probe", "--nulls", "-1", "--nulls: must be 0 or more draws")]
    public void Bad_control_options_are_refused_before_any_model_is_loaded(string command, string option, string value, string message)
    {
        var (code, _, err) = SelfInterpProcess.Run(command, SimulatedRun(), option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.DoesNotContain("needs a local model", err);
    }

    [Fact]
    public void Held_out_is_an_option_of_the_lab_not_of_the_wrapper_test()
    {
        var (code, _, err) = SelfInterpProcess.Run("probe", SimulatedRun(), "--held-out", "--untrained-body", "--nulls", "0");
        Assert.Equal(2, code);
        Assert.Contains("needs a local model", err);   // the options parsed; the run was refused for its backend
        var (wrapperCode, _, _) = SelfInterpProcess.Run("wrapper", SimulatedRun(), "--held-out");
        Assert.NotEqual(0, wrapperCode);
    }
}
