using System.Diagnostics;
using SelfInterp.Server;

namespace SelfInterp.Cli.Tests;

/// <summary>`serve` keeps its state in a per-user data directory and says where, writing nothing where it is started.</summary>
public class ServeDataDirectoryTests
{
    [Fact]
    public void The_default_follows_XDG_DATA_HOME_else_the_home_directory()
    {
        Assert.Equal(Path.Combine("/data/u", "selfinterp", "serve"), DataDirectory.ForServe(v => v == "XDG_DATA_HOME" ? "/data/u" : null));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal("/home/ada/.local/share/selfinterp/serve", DataDirectory.ForServe(v => v == "HOME" ? "/home/ada" : null));
            // A relative XDG_DATA_HOME is invalid by the spec and ignored.
            Assert.Equal("/home/ada/.local/share/selfinterp/serve", DataDirectory.ForServe(v => v switch { "HOME" => "/home/ada", "XDG_DATA_HOME" => "rel", _ => null }));
        }
    }

    [Fact]
    public void Serve_says_where_its_state_is_and_writes_nothing_in_the_working_directory()
    {
        var data = Directory.CreateTempSubdirectory("xdg").FullName;
        var cwd = Directory.CreateTempSubdirectory("cwd").FullName;
        using var serve = SelfInterpProcess.Start(["serve", "--port", "0", "--backend", "simulated"], new Dictionary<string, string> { ["XDG_DATA_HOME"] = data }, cwd);
        var lines = new List<string>();
        try
        {
            while (serve.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("OpenAI-compatible API at")) break;
            }
        }
        finally
        {
            serve.Kill();
            serve.WaitForExit();
        }
        var expected = Path.Combine(data, "selfinterp", "serve");
        Assert.Contains($"state (uploaded files, jobs, fine-tuned models) in {expected}", lines);
        Assert.True(Directory.Exists(expected));
        Assert.Empty(Directory.EnumerateFileSystemEntries(cwd));
    }
}
