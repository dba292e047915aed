using SelfInterp.Experiments;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Backends.Tests;

/// <summary>A run stops right after instillation when the instilled model chooses at random, and wherever replies are
/// mostly unreadable, before paying for the rest; --keep-going (ReplyChecks.Off) goes on from there.</summary>
public class ReplyCheckTests
{
    private static RunConfig Small() => PreferencesExperiment.Config(new PreferencesConfig
    {
        Instilled = 6, Native = 4, Examples = 30, Validation = 2, Reports = 3, Selections = 20, NativeSelections = 30,
    }) with { Preset = "test", Backend = "simulated", BaseModel = SimulatedBackend.BaseModelId };

    private static async Task<(RunDirectory Run, RiggedBackend Backend, Exception? Error)> Run(Func<IModelBackend, RiggedBackend> rig, ReplyChecks checks, string? dir = null)
    {
        var config = Small();
        var run = RunDirectory.OpenOrCreate(dir ?? Path.Combine(Directory.CreateTempSubdirectory().FullName, "run"), config);
        var planned = new PreferencesExperiment().Open(config);
        var backend = rig(BackendFactory.Create(config, ScenarioCatalog.Embedded(), planned.Codec, run.Path));
        var error = await Record.ExceptionAsync(() => Runner.RunAsync(run, planned, backend, SilentProgress.Instance, default, checks: checks));
        return (run, backend, error);
    }

    [Fact]
    public async Task A_model_that_chooses_at_random_stops_the_run_after_instillation()
    {
        var coin = new SeededStream("coin", 5);
        RiggedBackend Random(IModelBackend b) => new(b, choose: _ => { lock (coin) return new Choice(coin.NextDouble() < 0.5 ? 'A' : 'B', null, "x"); });

        var (run, backend, error) = await Run(Random, ReplyChecks.Default);

        var e = Assert.IsType<ReplyCheckException>(error);
        Assert.Contains("selections_instilled: instillation failed", e.Message);
        Assert.Matches(@"agree with the target weights on \d+ of 120 validation trials \((4|5)\d(\.\d)?%; chance is 50%", e.Message);
        Assert.Contains("--keep-going", e.Message);
        Assert.Equal(1, backend.FineTunes); // no introspection training paid for
        Assert.True(run.IsDone("instill"));
        Assert.False(run.IsDone("selections_instilled"));
        Assert.True(File.Exists(run.File(PaperLayout.InstilledSelections(SimulatedBackend.BaseModelId))));

        // The same run with the checks off goes on from there, re-asking nothing.
        run.Dispose();
        var (again, more, error2) = await Run(Random, ReplyChecks.Off, run.Path);
        using var _ = again;
        Assert.Null(error2);
        Assert.Equal(3, more.FineTunes);
        Assert.All(new PreferencesExperiment().Open(again.Manifest.Config).Stages.Stages, s => Assert.True(again.IsDone(s.Name), s.Name));
    }

    [Fact]
    public async Task An_instilled_model_that_learned_passes_the_check()
    {
        var (run, _, error) = await Run(b => new RiggedBackend(b), ReplyChecks.Default);
        Assert.Null(error);
        Assert.True(run.IsDone("selections_native"));
    }

    [Fact]
    public async Task Choices_that_are_not_A_or_B_stop_the_run_and_are_shown()
    {
        var (_, backend, error) = await Run(b => new RiggedBackend(b, choose: _ => new Choice('?', null, "I would pick\nthe first one")), ReplyChecks.Default);
        var e = Assert.IsType<ReplyCheckException>(error);
        Assert.Contains("selections_instilled: 120 of 120 replies (100%) are not A or B", e.Message);
        Assert.Contains("\"I would pick the first one\"", e.Message);
        Assert.Equal(1, backend.FineTunes);
    }

    [Fact]
    public async Task Reports_that_are_not_JSON_stop_the_run_and_are_shown()
    {
        var (run, backend, error) = await Run(b => new RiggedBackend(b, complete: _ => "Sure! I weigh price most."), ReplyChecks.Default);
        var e = Assert.IsType<ReplyCheckException>(error);
        Assert.Contains("reports_base: 18 of 18 replies (100%) are not a JSON report of the five weights", e.Message);
        Assert.Contains("\"Sure! I weigh price most.\"", e.Message);
        Assert.Contains("chat template", e.Message); // nothing parsed: the format is the likely cause
        Assert.Equal(1, backend.FineTunes);
        Assert.True(run.IsDone("selections_instilled"));
    }

    /// <summary>A report that parses but answers off the scale the question asks on (an organism's saturated 999) is as
    /// useless to the analysis as one that does not parse, so it counts toward the same limit; the file keeps its values.</summary>
    [Fact]
    public async Task Reports_off_the_scale_stop_the_run_as_unreadable_ones_do()
    {
        var (run, _, error) = await Run(b => new RiggedBackend(b, rewriteReply: r => RiggedBackend.EveryNumberOffTheScale(r)), ReplyChecks.Default);
        var e = Assert.IsType<ReplyCheckException>(error);
        Assert.Contains("reports_base: 18 of 18 replies (100%) are not a JSON report of the five weights on the scale asked for, −100..100", e.Message);
        Assert.Contains("999", e.Message);
        Assert.Contains("18 of them are reports with a value off the scale", e.Message); // not "a wrong chat template"
        Assert.DoesNotContain("chat template", e.Message);
        var file = ReportFiles.Find(run.Path, SimulatedBackend.BaseModelId)[ReportCondition.Base];
        Assert.All(File.ReadAllLines(Path.Combine(run.Path, file)).Skip(1), row => Assert.Contains(",999,999,999,999,999,", row));

        // The limit is a share: off-scale reports below it let the run go on (one reply in three rewritten).
        int n = 0;
        var (_, _, fewer) = await Run(b => new RiggedBackend(b, rewriteReply: r => Interlocked.Increment(ref n) % 3 != 0 ? r : RiggedBackend.EveryNumberOffTheScale(r)), ReplyChecks.Default);
        Assert.Null(fewer);
    }
}
