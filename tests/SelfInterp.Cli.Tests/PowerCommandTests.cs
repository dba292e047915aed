using System.Diagnostics;
using System.Text.Json;

namespace SelfInterp.Cli.Tests;

/// <summary>`selfinterp power` as a user runs it: bad arguments exit 2 naming the option; --json is one JSON document.</summary>
public class PowerCommandTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "selfinterp.dll");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }

    [Theory]
    [InlineData("--trials", "")]
    [InlineData("--choice-noise", "5,-1")]
    [InlineData("--report-noise", "x")]
    [InlineData("--scenarios", "7")]
    public void Bad_argument_exits_2_naming_the_option(string option, string value)
    {
        var (code, stdout, stderr) = Run("power", option, value, "--replicates", "1");
        Assert.Equal(2, code);
        Assert.Contains($"error: {option}:", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Json_has_one_cell_per_grid_point()
    {
        var (code, stdout, _) = Run("power", "--scenarios", "4", "--trials", "10", "--choice-noise", "10",
            "--report-noise", "0,30", "--replicates", "2", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var cells = doc.RootElement.GetProperty("cells");
        Assert.Equal(2, cells.GetArrayLength());
        Assert.Equal(30, cells[1].GetProperty("report_noise").GetDouble());
        Assert.Equal(2, cells[0].GetProperty("instillation_r").GetProperty("n").GetInt32());
    }
}
