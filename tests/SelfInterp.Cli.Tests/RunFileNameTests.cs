namespace SelfInterp.Cli.Tests;

/// <summary>
/// Issue 24: a 20-scenario run wrote `…itrained_first_50_of_100_50ex…` files. The files our runs write now state the
/// run's counts; `analyze` finds them by role, so it reads these, the authors' names, and our runs made before the
/// change alike, with the same summary.
/// </summary>
public class RunFileNameTests
{
    [Fact]
    public void Quick_run_names_its_files_with_20_and_10_and_analyze_gives_the_summary_of_before_under_either_name()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("names").FullName, "run");
        var (code, _, err) = CliTests.Run("run", "--backend", "simulated", "--preset", "quick", "--out", dir);
        Assert.True(code == 0, err);
        const string m = "simulated-base";
        var renamed = new Dictionary<string, string>
        {
            [$"{m}_itrained_first_10_of_20_50ex_weight_reports.csv"] = $"{m}_itrained_first_50_of_100_50ex_weight_reports.csv",
            [$"{m}_itrained_last_10_of_20_50ex_weight_reports.csv"] = $"{m}_itrained_last_50_of_100_50ex_weight_reports.csv",
            [$"{m}_itrained_all_20_50ex_latent_weight_reports.csv"] = $"{m}_itrained_all_100_50ex_latent_weight_reports.csv",
        };
        foreach (var (now, before) in renamed)
        {
            Assert.True(File.Exists(Path.Combine(dir, now)), now);
            Assert.False(File.Exists(Path.Combine(dir, before)), before);
        }
        // The summary recorded before the names changed (PreferencesSummaryRegressionTests' fixture), every number equal.
        var expected = CliTests.WithoutTiming(Path.Combine(AppContext.BaseDirectory, "Fixtures", "PreferencesSummaries", "simulated-quick.json"));
        var summary = Path.Combine(dir, "analysis", "summary.json");
        Assert.Equal(expected, CliTests.WithoutTiming(summary));

        // As a run made before the change holds them: analyze reads them by role.
        foreach (var (now, before) in renamed) File.Move(Path.Combine(dir, now), Path.Combine(dir, before));
        File.Delete(summary);
        var (again, _, err2) = CliTests.Run("analyze", dir);
        Assert.True(again == 0, err2);
        Assert.Equal(expected, CliTests.WithoutTiming(summary));
        Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
    }
}
