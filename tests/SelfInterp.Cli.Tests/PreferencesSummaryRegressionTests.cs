namespace SelfInterp.Cli.Tests;

/// <summary>
/// The preferences experiment measures what it measured before experiments became plug-ins: `selfinterp run` at
/// the quick and paper presets, on the reporter organism and on the simulated backend, gives the summary.json
/// recorded from the code before the change (Fixtures/PreferencesSummaries), every number equal.
/// </summary>
public class PreferencesSummaryRegressionTests
{
    [Theory]
    [InlineData("simulated", "quick")]
    [InlineData("simulated", "paper")]
    [InlineData("local", "quick")]
    [InlineData("local", "paper")]
    public void Summary_numbers_are_unchanged(string backend, string preset)
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("regression").FullName, "run");
        // The local fixtures are the reporter's, whichever organism is the default.
        string[] organism = backend == "local" ? ["--base-model", "reporter"] : [];
        var (code, stdout, stderr) = CliTests.Run(["run", "--backend", backend, "--preset", preset, "--out", dir, .. organism]);
        Assert.True(code == 0, stderr + stdout);

        var expected = CliTests.WithoutTiming(Path.Combine(AppContext.BaseDirectory, "Fixtures", "PreferencesSummaries", $"{backend}-{preset}.json"));
        var actual = CliTests.WithoutTiming(Path.Combine(dir, "analysis", "summary.json"));
        Assert.Equal(expected, actual);
        Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
    }
}
