using System.Diagnostics;

namespace SelfInterp.Cli.Tests;

/// <summary>The selfinterp executable in a process of its own, as a user starts it.</summary>
public static class SelfInterpProcess
{
    /// <summary>Starts it with output redirected, the server-key variable unset unless <paramref name="env"/> sets it.</summary>
    public static Process Start(string[] args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "selfinterp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove(Commands.ServeApiKey.EnvironmentVariable);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    /// <summary>Runs it to the end: exit code, stdout, stderr (both read at once, so neither pipe fills).</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
