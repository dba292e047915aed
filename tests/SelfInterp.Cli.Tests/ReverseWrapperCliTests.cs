using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Cli.Tests;

/// <summary>`selfinterp wrapper --method reverse` refuses what it cannot do, with exit code 2 and one line saying why.</summary>
public class ReverseWrapperCliTests
{
    static string SimulatedRun()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("reverse").FullName, "run");
        using (RunDirectory.OpenOrCreate(dir, PreferencesExperiment.Config("quick") with { Backend = "simulated", BaseModel = "simulated-base" })) { }
        return dir;
    }

    [Fact]
    public void A_run_on_another_backend_is_refused_by_name_because_reverse_fine_tuning_needs_gradients()
    {
        var (code, output, err) = SelfInterpProcess.Run("wrapper", SimulatedRun(), "--method", "reverse");
        Assert.Equal(2, code);
        Assert.Contains("`selfinterp wrapper --method reverse` needs a local model", err);
        Assert.Contains("'simulated'", err);
        Assert.DoesNotContain("   at ", err + output);
    }

    [Theory]
    [InlineData("--steps", "0,5,x", "--steps: 'x'")]
    [InlineData("--steps", "5,5", "--steps: '5'")]
    [InlineData("--steps", "0", "--steps: need at least one step after 0")]
    [InlineData("--fraction", "1.5", "--fraction: must be above 0 and at most 1")]
    public void Bad_schedules_and_fractions_are_refused_before_any_model_is_loaded(string option, string value, string message)
    {
        var (code, _, err) = SelfInterpProcess.Run("wrapper", SimulatedRun(), "--method", "reverse", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.DoesNotContain("needs a local model", err);
    }

    [Fact]
    public void Reverse_options_are_refused_with_pruning()
    {
        var (code, _, err) = SelfInterpProcess.Run("wrapper", SimulatedRun(), "--steps", "0,5");
        Assert.Equal(2, code);
        Assert.Contains("--steps: only with --method reverse", err);
    }
}
