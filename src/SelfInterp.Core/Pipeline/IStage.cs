using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>
/// One step of an experiment: reads and writes the run directory, and can be re-run after a kill. It declares
/// the artifacts it reads and writes (<see cref="Artifacts"/>), so the runner and tools such as the power
/// analysis can ask the <see cref="StageGraph"/> which stages produce what, instead of going by names.
/// </summary>
public interface IStage
{
    string Name { get; }
    IReadOnlyList<string> Reads { get; }
    IReadOnlyList<string> Writes { get; }
    Task RunAsync(RunContext context, CancellationToken ct);

    /// <summary>The files the stage writes, relative to the run directory. The runner records their SHA-256 in
    /// run.json and runs the stage again when one is missing or altered.</summary>
    IReadOnlyList<string> Outputs(RunContext context) => [];
}

/// <summary>What every stage works with; what a stage needs of its experiment (plan, datasets) it holds itself.</summary>
public sealed record RunContext(RunDirectory Run, IModelBackend Backend, IRunProgress Progress)
{
    /// <summary>When replies stop the run early (a failed instillation, unreadable replies).</summary>
    public ReplyChecks Checks { get; init; } = ReplyChecks.Default;
}

/// <summary>Names of the things stages pass to each other: a file of the run directory by its name, a model by its key.</summary>
public static class Artifacts
{
    public static string Model(string key) => "model:" + key;
    public static string File(string name) => name;
}

/// <summary>Progress of the stage at hand, for a progress bar (CLI) or nothing (tests).</summary>
public interface IRunProgress
{
    void StartStage(string stage, string description, int total);
    void Advance(int count);
    /// <summary>For work measured as a fraction (a fine-tuning job), 0..1.</summary>
    void Fraction(double done);
    void EndStage(string stage, bool skipped);
    void Info(string message);
}

public sealed class SilentProgress : IRunProgress
{
    public static readonly SilentProgress Instance = new();
    public void StartStage(string stage, string description, int total) { }
    public void Advance(int count) { }
    public void Fraction(double done) { }
    public void EndStage(string stage, bool skipped) { }
    public void Info(string message) { }
}
