using SelfInterp.Experiments;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Core.Tests;

public class StageGraphTests
{
    private sealed class Step(string name, string[] reads, string[] writes) : IStage
    {
        public string Name => name;
        public IReadOnlyList<string> Reads => reads;
        public IReadOnlyList<string> Writes => writes;
        public Task RunAsync(RunContext context, CancellationToken ct) => Task.CompletedTask;
    }

    [Fact]
    public void A_stage_reading_what_no_earlier_stage_writes_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new StageGraph(["model:base"],
            [new Step("report", ["model:tuned"], ["r.csv"]), new Step("tune", ["model:base"], ["model:tuned"])]));
        Assert.Contains("'report' reads 'model:tuned'", e.Message);
        Assert.Throws<InvalidOperationException>(() => new StageGraph([], [new Step("a", [], ["x"]), new Step("b", [], ["x"])]));
    }

    [Fact]
    public void Producing_returns_the_writers_and_what_they_depend_on_in_run_order()
    {
        var graph = new StageGraph(["model:base", "data"],
        [
            new Step("tune", ["model:base", "data"], ["model:tuned"]),
            new Step("tune_again", ["model:tuned"], ["model:tuned2"]),
            new Step("reports", ["model:tuned2"], ["reports.csv"]),
            new Step("choices", ["model:tuned"], ["choices.csv"]),
        ]);
        Assert.Equal(["tune", "choices"], graph.Producing(["choices.csv"]).Select(s => s.Name));
        Assert.Equal(["tune", "tune_again", "reports"], graph.Producing(["reports.csv"]).Select(s => s.Name));
        Assert.Empty(graph.Producing(["nothing.csv"]));
    }

    [Fact]
    public void The_power_analysis_split_comes_from_the_preferences_graph()
    {
        // Selections need only the instilling fine-tune; reports need every fine-tune and no selection stage.
        var run = (PreferencesRun)new PreferencesExperiment().Open(PreferencesExperiment.Config("quick"));
        string m = run.Plan.FileModelName;
        Assert.Equal(["instill", "selections_instilled", "selections_native"],
            run.Stages.Producing([PaperLayout.InstilledSelections(m), PaperLayout.LatentSelections(m)]).Select(s => s.Name));
        var counts = PreferencesStages.ReportCounts(run.Plan.Config);
        var reports = run.Stages.Producing(Enum.GetValues<ReportCondition>().Select(c => PaperLayout.Reports(m, c, counts))).Select(s => s.Name).ToList();
        Assert.Equal(10, reports.Count);
        Assert.DoesNotContain(reports, s => s.StartsWith("selections"));
    }

    private sealed record ScoreTask(string Question) : ModelTask;

    /// <summary>An experiment whose prompts ask something the organism cannot read.</summary>
    private sealed class RatingExperiment : IExperimentRun, ITaskCodec
    {
        public bool Prepared;
        public string Name => "rating";
        public ScenarioCatalog Catalog => ScenarioCatalog.Embedded();
        public ITaskCodec Codec => this;
        public StageGraph Stages { get; } = new(["model:base"], []);
        public void Prepare(RunDirectory run) => Prepared = true;
        public ExperimentOutcome Analyze(string runDirectory) => throw new NotSupportedException();
        public IReadOnlyList<Type> TaskKinds => [typeof(ScoreTask)];
        public ModelTask? Decode(ChatPrompt prompt) => prompt.Task;
        public string Encode(ModelTask task, TaskAnswer answer) => throw new NotSupportedException();
        public bool TryDecode(ModelTask task, string text, out TaskAnswer? answer, out string problem) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("local")]
    [InlineData("simulated")]
    public async Task A_backend_that_cannot_serve_the_tasks_says_so_before_any_work(string backend)
    {
        var dir = Directory.CreateTempSubdirectory("refuse").FullName;
        var config = new RunConfig { Backend = backend, BaseModel = "m" };
        var experiment = new RatingExperiment();
        var model = SelfInterp.Experiments.BackendFactory.Create(config, experiment.Catalog, experiment, dir);
        var run = RunDirectory.OpenOrCreate(Path.Combine(dir, "run"), config);
        var e = await Assert.ThrowsAsync<UsageException>(() => Runner.RunAsync(run, experiment, model, SilentProgress.Instance, default));
        Assert.Contains($"the {backend} backend cannot serve the 'rating' experiment: it does not answer ScoreTask tasks", e.Message);
        Assert.False(experiment.Prepared);
        Assert.Empty(run.Manifest.Models);
    }
}
