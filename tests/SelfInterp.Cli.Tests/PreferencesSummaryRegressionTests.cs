using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// The preferences experiment measures what it measured before experiments became plug-ins: `selfinterp run` at
/// the quick and paper presets, on the shipped organism and on the simulated backend, gives the summary.json
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
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "selfinterp.dll"), "run", "--backend", backend, "--preset", preset, "--out", dir })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr + stdout.Result);

        var expected = Numbers(Path.Combine(AppContext.BaseDirectory, "Fixtures", "PreferencesSummaries", $"{backend}-{preset}.json"));
        var actual = Numbers(Path.Combine(dir, "analysis", "summary.json"));
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{expected}\nactual\n{actual}");
        Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
    }

    /// <summary>The summary without its timing, the one field that differs between two identical runs.</summary>
    private static JsonNode Numbers(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(node.Remove("elapsed_s"), path);
        return node;
    }
}
