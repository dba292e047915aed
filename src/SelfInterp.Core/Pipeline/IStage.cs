using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>One step of the protocol: reads and writes the run directory, and can be re-run after a kill.</summary>
public interface IStage
{
    string Name { get; }
    Task RunAsync(RunContext context, CancellationToken ct);

    /// <summary>The files the stage writes, relative to the run directory. The runner records their SHA-256 in
    /// run.json and runs the stage again when one is missing or altered.</summary>
    IReadOnlyList<string> Outputs(RunContext context) => [];
}

/// <summary>What every stage works with.</summary>
public sealed record RunContext(RunDirectory Run, ExperimentPlan Plan, Datasets.Datasets Data, IModelBackend Backend, IRunProgress Progress);

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
