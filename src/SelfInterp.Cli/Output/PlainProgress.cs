using System.Diagnostics;
using System.Globalization;
using SelfInterp.Core.Pipeline;

namespace SelfInterp.Cli.Output;

/// <summary>
/// Progress for a log file or a pipe: one plain line per stage when it ends (name, item count, seconds, what it
/// did), no escape codes and nothing per tick, so `selfinterp run > log.txt` stays readable.
/// </summary>
public sealed class PlainProgress(TextWriter output) : IRunProgress
{
    private string? _stage;
    private string _description = "";
    private int _total;
    private readonly Stopwatch _clock = new();

    public void StartStage(string stage, string description, int total)
    {
        _stage = stage;
        _description = description;
        _total = total;
        _clock.Restart();
    }

    public void Advance(int count) { }

    public void Fraction(double done) { }

    public void EndStage(string stage, bool skipped)
    {
        if (skipped)
            output.WriteLine($"{stage,-24} done earlier, skipped");
        else
        {
            string seconds = _clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
            string what = _stage == stage ? $"{_total,6}  {seconds,7} s  {_description}" : $"{"",6}  {seconds,7} s";
            output.WriteLine($"{stage,-24} {what}");
        }
        output.Flush();
        _stage = null;
    }

    public void Info(string message)
    {
        output.WriteLine(message);
        output.Flush();
    }
}
