using System.Diagnostics;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// Issue 24, a newcomer's first hour: the README's set-up is one command, `./install.sh`, after which `selfinterp
/// --version` works from anywhere, with the shipped organisms beside it. (After the test project's own Release
/// build the publish is up to date: seconds, not the first build's minute.)
/// </summary>
public class InstallScriptTests
{
    [Fact]
    public async Task Install_script_puts_a_working_selfinterp_under_the_prefix_in_one_command()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repo.FullName, "SelfInterp.slnx"))) repo = repo.Parent!;
        var prefix = Directory.CreateTempSubdirectory("install").FullName;

        var psi = new ProcessStartInfo(Path.Combine(repo.FullName, "install.sh")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["PREFIX"] = prefix;
        using var install = Process.Start(psi)!;
        var err = install.StandardError.ReadToEndAsync();
        var output = install.StandardOutput.ReadToEnd();
        install.WaitForExit();
        Assert.True(install.ExitCode == 0, output + await err);
        Assert.Contains("building selfinterp", output); // the line that says why the first command takes a while
        Assert.Contains($"note: {Path.Combine(prefix, "bin")} is not on your PATH", output);

        // From another directory, as a user would: the launcher finds its own files and the shipped organisms.
        var run = new ProcessStartInfo(Path.Combine(prefix, "bin", "selfinterp")) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = prefix };
        run.ArgumentList.Add("--version");
        using var version = Process.Start(run)!;
        var text = version.StandardOutput.ReadToEnd().Trim();
        version.WaitForExit();
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", text);
        Assert.True(File.Exists(Path.Combine(prefix, "lib", "selfinterp", "models", "naive", "recipe.json")));
        Directory.Delete(prefix, recursive: true);
    }
}
