using System.Text.Json.Nodes;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Core.Experiments;

/// <summary>
/// An experiment the runner can run: its own config section (run.json's <c>settings</c>), its plan, datasets,
/// stage graph, task codec, analysis and report. The runner, the backends and the server know experiments only
/// through this.
/// </summary>
public interface IExperiment
{
    /// <summary>What <c>--experiment</c> takes, and run.json's <c>experiment</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>selfinterp experiments</c>.</summary>
    string Description { get; }

    /// <summary>The experiment's own command-line options of <c>run</c> (as <c>--NAME VALUE</c>).</summary>
    IReadOnlyList<ExperimentOption> Options { get; }

    /// <summary>The config section for a preset, with the experiment's options applied; bad values throw a
    /// <see cref="UsageException"/> naming the option.</summary>
    JsonObject Settings(string preset, IReadOnlyDictionary<string, string> options);

    /// <summary>The experiment planned for a run's config: draws made, input checked (a <see cref="UsageException"/>
    /// or an input error of its own otherwise). Makes no file.</summary>
    IExperimentRun Open(RunConfig config);

    /// <summary>The experiment of an existing run directory: inputs the run keeps a copy of (imported datasets) are
    /// read from there when their sources are gone.</summary>
    IExperimentRun Open(RunConfig config, string runDirectory) => Open(config);
}

/// <summary>An experiment's own option of <c>run</c>: <c>--Name</c>.</summary>
public sealed record ExperimentOption(string Name, string Description);

/// <summary>One run of an experiment, planned.</summary>
public interface IExperimentRun
{
    string Name { get; }
    ITaskCodec Codec { get; }
    StageGraph Stages { get; }

    /// <summary>Writes the inputs the stages read (datasets, catalog files). Deterministic: a resumed run rewrites
    /// the same bytes.</summary>
    void Prepare(RunDirectory run);

    /// <summary>Analyses a finished run: writes analysis/summary.json and the report; returns what to print.</summary>
    ExperimentOutcome Analyze(string runDirectory);
}

/// <summary>What a finished analysis shows on the terminal, and where its report is.</summary>
public sealed record ExperimentOutcome(string Table, string ReportHtml, string SummaryFile);
