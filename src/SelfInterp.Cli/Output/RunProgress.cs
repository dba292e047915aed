using SelfInterp.Core.Pipeline;

namespace SelfInterp.Cli.Output;

/// <summary>Live progress bars on a terminal; plain lines when standard output is a file or a pipe.</summary>
public static class RunProgress
{
    public static Task<T> RunAsync<T>(Func<IRunProgress, Task<T>> work) =>
        Console.IsOutputRedirected ? work(new PlainProgress(Console.Out)) : SpectreProgress.RunAsync(work);
}
