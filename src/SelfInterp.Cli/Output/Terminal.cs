using Spectre.Console;

namespace SelfInterp.Cli.Output;

/// <summary>
/// What the output may hold. Plain (no escape codes, no live display) whenever standard output or standard error is
/// not a terminal — `cmd > f` and `cmd 2> f` alike — or NO_COLOR is set or TERM is dumb; live progress bars only on
/// a terminal wide enough for them, else one line per stage.
/// </summary>
public static class Terminal
{
    /// <summary>Below this many columns a progress bar's line is mostly ellipsis: one plain line per stage instead.</summary>
    public const int MinimumProgressWidth = 100;

    public static bool Plain => IsPlain(Console.IsOutputRedirected, Console.IsErrorRedirected, Environment.GetEnvironmentVariable);

    /// <summary>Live progress bars: a terminal, not plain, and wide enough.</summary>
    public static bool LiveProgress => !Plain && WideEnough(Width);

    /// <summary>The rule of <see cref="Plain"/>, given the streams' state and the environment.</summary>
    public static bool IsPlain(bool outputRedirected, bool errorRedirected, Func<string, string?> environment) =>
        outputRedirected || errorRedirected || !string.IsNullOrEmpty(environment("NO_COLOR")) || environment("TERM") == "dumb";

    /// <summary>Whether a terminal of <paramref name="columns"/> columns gets progress bars (else one line per stage).</summary>
    public static bool WideEnough(int columns) => columns >= MinimumProgressWidth;

    private static int Width
    {
        get
        {
            try { return Console.WindowWidth; }
            catch (IOException) { return 0; }
        }
    }

    /// <summary>Makes every Spectre write plain text when <see cref="Plain"/>: no colours, no cursor moves.</summary>
    public static void Configure()
    {
        if (!Plain) return;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
    }
}
