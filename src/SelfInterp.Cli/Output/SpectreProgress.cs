using SelfInterp.Core.Pipeline;
using Spectre.Console;

namespace SelfInterp.Cli.Output;

/// <summary>One progress bar per stage, with counts and ETA; skipped (already done) stages are listed as such.</summary>
public sealed class SpectreProgress(ProgressContext context) : IRunProgress
{
    private ProgressTask? _task;

    public void StartStage(string stage, string description, int total)
    {
        _task = context.AddTask($"{stage,-24} {Markup.Escape(description)}", maxValue: Math.Max(total, 1));
    }

    public void Advance(int count) => _task?.Increment(count);

    public void Fraction(double done)
    {
        if (_task is not null) _task.Value = done * _task.MaxValue;
    }

    public void EndStage(string stage, bool skipped)
    {
        if (skipped) context.AddTask($"{stage,-24} [grey]done earlier, skipped[/]", maxValue: 1).Increment(1);
        else if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); }
        _task = null;
    }

    public void Info(string message) => AnsiConsole.MarkupLine(Markup.Escape(message));

    /// <summary>Runs <paramref name="work"/> under a live progress display.</summary>
    public static Task<T> RunAsync<T>(Func<IRunProgress, Task<T>> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(ctx => work(new SpectreProgress(ctx)));
}
