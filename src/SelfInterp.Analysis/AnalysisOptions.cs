using SelfInterp.Analysis.Regression;

namespace SelfInterp.Analysis;

/// <summary>Settings of <see cref="Analyzer"/>. The defaults reproduce the same numbers on every run.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Seed of the importance-sampling streams (one stream per selections file and scenario).</summary>
    public ulong Seed { get; init; } = 20250523;

    public PosteriorOptions Posterior { get; init; } = PosteriorOptions.Default;

    /// <summary>Write analysis/*.csv and analysis/summary.json (off for dry runs and timing).</summary>
    public bool WriteFiles { get; init; } = true;

    /// <summary>Threads for the per-scenario fits; results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>scenarios.csv to read instead of looking in the directory and its parent.</summary>
    public string? ScenariosFile { get; init; }

    /// <summary>instilled_weights.csv to read instead of looking in the directory and its parent.</summary>
    public string? WeightsFile { get; init; }

    /// <summary>Where analysis/ goes instead of the directory analysed (published data kept read-only, or untouched).</summary>
    public string? OutputDirectory { get; init; }

    public static AnalysisOptions Default { get; } = new();
}
