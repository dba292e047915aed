using System.Text.Json.Nodes;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Preferences.Prompts;

namespace SelfInterp.Experiments.Preferences;

/// <summary>The paper's protocol (Plunkett et al. 2025): instil preferences, ask for reports, introspection-train.</summary>
public sealed class PreferencesExperiment : IExperiment
{
    public const string ExperimentName = "preferences";
    public string Name => ExperimentName;
    public string Description => "the paper's protocol: instil random preferences, ask the model to report them, introspection-train (Plunkett et al. 2025)";
    public const string ItrainTargetsOption = "itrain-targets";

    public IReadOnlyList<ExperimentOption> Options =>
    [
        new(ItrainTargetsOption, "sham introspection training: 'permuted' (each training scenario is trained on the targets of another scenario of the same " +
                                 "training set, a seeded derangement) or 'seed:N' (on the targets run seed N instils); the real targets when absent"),
    ];

    public JsonObject Settings(string preset, IReadOnlyDictionary<string, string> options)
    {
        var settings = PreferencesConfig.Preset(preset).ToJson();
        if (options.TryGetValue(ItrainTargetsOption, out var sham))
        {
            if (ShamTargets.Problem(sham) is { } problem) throw new UsageException($"--{ItrainTargetsOption} {sham}: {problem}");
            settings["itrain_targets"] = sham;
        }
        return settings;
    }

    public IExperimentRun Open(RunConfig config) => new PreferencesRun(PreferencesPlan.Create(config));

    /// <summary>A run config of this experiment with the given sizes (the runner's fields at their defaults).</summary>
    public static RunConfig Config(PreferencesConfig sizes, string preset = "custom") =>
        new() { Experiment = ExperimentName, Preset = preset, Settings = sizes.ToJson() };

    /// <summary>A run config of this experiment at a named preset.</summary>
    public static RunConfig Config(string preset) => Config(PreferencesConfig.Preset(preset), preset);
}

/// <summary>A planned preferences run: the datasets (written by <see cref="Prepare"/>), the stage graph, the analysis.</summary>
public sealed class PreferencesRun : IExperimentRun, IScenarioRun
{
    public PreferencesPlan Plan { get; }
    public PreferencesCodec Codec { get; }
    public StageGraph Stages { get; }
    private PreferencesDatasets? _data;

    public PreferencesRun(PreferencesPlan plan, string name = PreferencesExperiment.ExperimentName)
    {
        Name = name;
        Plan = plan;
        Codec = new PreferencesCodec(plan.Catalog, plan.Prompts);
        Stages = new StageGraph(PreferencesStages.Inputs(plan.Config), PreferencesStages.Stages(plan, () => Data));
    }

    public string Name { get; }
    public ScenarioCatalog Catalog => Plan.Catalog;
    ITaskCodec IExperimentRun.Codec => Codec;

    /// <summary>The datasets, once <see cref="Prepare"/> has written them.</summary>
    public PreferencesDatasets Data => _data ?? throw new InvalidOperationException("the datasets are written by Prepare, before the stages");

    public void Prepare(RunDirectory run) => _data = DatasetBuilder.Build(Plan, run.Path);

    public ExperimentOutcome Analyze(string runDirectory) => Outcome(runDirectory, Analyzer.Analyze(runDirectory), "");

    /// <summary>The outcome of the paper's analysis, with <paramref name="more"/> printed below its table; the report
    /// goes where the analysis went (<paramref name="outputDirectory"/>, default the run directory).</summary>
    public static ExperimentOutcome Outcome(string runDirectory, AnalysisSummary summary, string more, IReadOnlyList<ReportSection>? sections = null,
        string? outputDirectory = null) =>
        new(SummaryTable.Render(summary) + more, RunReport.Write(runDirectory, summary, sections, outputDirectory).Html,
            Path.Combine(outputDirectory ?? runDirectory, PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile));
}
