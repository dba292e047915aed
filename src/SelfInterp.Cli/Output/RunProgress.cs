using SelfInterp.Core.Pipeline;

namespace SelfInterp.Cli.Output;

/// <summary>Live progress bars on a wide terminal; one plain line per stage when output is a file or a pipe, or the terminal is narrow.</summary>
public static class RunProgress
{
    public static Task<T> RunAsync<T>(Func<IRunProgress, Task<T>> work) =>
        Terminal.LiveProgress ? SpectreProgress.RunAsync(work) : work(new PlainProgress(Console.Out));
}
