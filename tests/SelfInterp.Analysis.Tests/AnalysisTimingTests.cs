using System.Diagnostics;
using Xunit.Abstractions;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// Prints how long a paper-sized analysis takes (two base models; 100 instilled scenarios × 50 selections,
/// 100 native × 100; six report files of 10 reports per scenario). A measurement, not an assertion on time:
/// shared CI machines make time limits flaky. Run with --logger "console;verbosity=detailed" to see it.
/// </summary>
public class AnalysisTimingTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Timing")]
    public void Paper_sized_run_timing()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 11, Models = ["gpt-a", "gpt-b"], InstilledScenarios = 100, NativeScenarios = 100, ReportNoise = 30 }.Write(dir.Path);
        var options = new AnalysisOptions { WriteFiles = false };
        var cold = Stopwatch.StartNew();
        var summary = Analyzer.Analyze(dir.Path, options);
        cold.Stop();
        var warm = Stopwatch.StartNew();
        Analyzer.Analyze(dir.Path, options);
        warm.Stop();
        output.WriteLine($"paper-sized analysis: cold {cold.Elapsed.TotalMilliseconds:F0} ms, warm {warm.Elapsed.TotalMilliseconds:F0} ms " +
                         "(this build's configuration; see the project README for Release figures)");
        Assert.Equal(2, summary.Models.Count);
        Assert.All(summary.Models, m => Assert.Equal(100, m.LearnedInstilled.Count + m.FailedScenarios.Count(f => f.SelectionsFile.EndsWith("_instilled_selections.csv"))));
    }
}
