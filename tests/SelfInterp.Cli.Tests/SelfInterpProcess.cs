using System.Diagnostics;

namespace SelfInterp.Cli.Tests;

/// <summary>The selfinterp executable in a process of its own, as a user starts it.</summary>
public static class SelfInterpProcess
{
    /// <summary>Starts it with output redirected, the server-key and providers' variables unset unless <paramref name="env"/>
    /// sets them (a test never reaches a real provider with a key it happens to inherit).</summary>
    public static Process Start(string[] args, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "selfinterp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var variable in new[] { Commands.ServeApiKey.EnvironmentVariable, Backends.OpenAI.OpenAIBackendOptions.ApiKeyVariable,
                     Backends.OpenAI.OpenAIBackendOptions.BaseUrlVariable, Backends.FineTuning.TogetherOptions.ApiKeyVariable })
            psi.Environment.Remove(variable);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    /// <summary>Runs it to the end: exit code, stdout, stderr (both read at once, so neither pipe fills).</summary>
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(null, args);

    /// <summary>Runs it to the end with <paramref name="env"/> set: exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Run(IDictionary<string, string>? env, params string[] args) => RunIn(null, env, args);

    /// <summary>Runs it to the end in <paramref name="workingDirectory"/> (null: this process's), with <paramref name="env"/> set.</summary>
    public static (int Code, string Out, string Err) RunIn(string? workingDirectory, IDictionary<string, string>? env, params string[] args)
    {
        using var p = Start(args, env, workingDirectory);
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
