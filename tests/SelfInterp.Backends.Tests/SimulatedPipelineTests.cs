using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests;

public class SimulatedPipelineTests
{
    private static RunConfig Small(ulong seed = 1, int selections = 20, int instilled = 6, int reports = 3) => PreferencesExperiment.Config(new PreferencesConfig { Instilled = instilled, Native = 4, Examples = 30, Validation = 2, Reports = reports, Selections = selections, NativeSelections = 30 }) with
    {
        Preset = "test", Backend = "simulated", BaseModel = SimulatedBackend.BaseModelId,
        Seeds = Seeds.FromMaster(seed),
    };

    internal static async Task<RunDirectory> Run(string dir, RunConfig config, Func<IModelBackend, IModelBackend>? wrap = null)
    {
        using var run = RunDirectory.OpenOrCreate(dir, config); // released on return, as when a process ends
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, CancellationToken.None, planned =>
        {
            var backend = BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path);
            return wrap?.Invoke(backend) ?? backend;
        });
        return run;
    }

    private static Dictionary<string, byte[]> Outputs(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not (PaperLayout.RunManifestFile or RunDirectory.LockFile))
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Fact]
    public async Task Writes_every_file_of_the_paper_layout()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var run = await Run(dir, Small());
        var m = "simulated-base";
        foreach (var f in new[] { PaperLayout.InstilledSelections(m), PaperLayout.LatentSelections(m), PaperLayout.ScenariosFile, PaperLayout.InstilledWeightsFile, PaperLayout.TargetChoicesFile })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var counts = PreferencesStages.ReportCounts(PreferencesConfig.From(run.Manifest.Config));
        foreach (var c in Enum.GetValues<ReportCondition>())
            Assert.True(File.Exists(Path.Combine(dir, PaperLayout.Reports(m, c, counts))), c.ToString());
        // The names state the run's counts (6 scenarios in halves of 3, 30 examples), not the paper's.
        Assert.Equal("simulated-base_itrained_first_3_of_6_30ex_weight_reports.csv", PaperLayout.Reports(m, ReportCondition.ItrainedFirstHalf, counts));
        Assert.Equal("simulated-base_itrained_all_6_30ex_latent_weight_reports.csv", PaperLayout.Reports(m, ReportCondition.NativeAfter, counts));
        Assert.All(new PreferencesExperiment().Open(run.Manifest.Config).Stages.Stages, s => Assert.True(run.IsDone(s.Name), s.Name));
        Assert.StartsWith("ft:simulated-base:instilled:", run.Model(PreferencesStages.InstilledKey).Id);
        Assert.Equal(6 * 20 + 1, File.ReadAllLines(Path.Combine(dir, PaperLayout.InstilledSelections(m))).Length);
        Assert.Equal(4 * 3 + 1, File.ReadAllLines(Path.Combine(dir, PaperLayout.Reports(m, ReportCondition.NativeAfter, counts))).Length);
        Assert.Equal(3 * 3 + 1, File.ReadAllLines(Path.Combine(dir, PaperLayout.Reports(m, ReportCondition.ItrainedFirstHalf, counts))).Length);
    }

    [Fact]
    public async Task Files_key_scenarios_by_short_name_and_the_base_model_chooses_on_the_instilled_scenarios()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var config = Small(instilled: 20, reports: 5, selections: 60);
        await Run(dir, config);
        var m = SimulatedBackend.BaseModelId;
        var catalog = ScenarioCatalog.Embedded().Scenarios;
        var instilledNames = catalog.Take(20).Select(s => s.ShortName).ToHashSet();
        var own = Core.Csv.CsvTable.Read(Path.Combine(dir, PaperLayout.BaseSelections(m)));
        var instilled = Core.Csv.CsvTable.Read(Path.Combine(dir, PaperLayout.InstilledSelections(m)));
        Assert.Equal(20 * 60, own.Rows.Count);
        Assert.All(own.Rows, r => Assert.Equal(m, r["model"]));
        Assert.All(own.Rows.Concat(instilled.Rows), r => Assert.Contains(r["scenario"], instilledNames));
        var sizes = PreferencesConfig.From(config);
        var nativeNames = catalog.Skip(sizes.NativeOffset).Take(sizes.Native).Select(s => s.ShortName).ToHashSet();
        Assert.All(Core.Csv.CsvTable.Read(Path.Combine(dir, ReportFiles.Find(dir, m)[ReportCondition.NativeAfter])).Rows,
            r => Assert.Contains(r["scenario"], nativeNames));
        // Its own stream (derived from the validation seed): trials other than the instilled model's.
        Assert.NotEqual(own.Rows.Select(r => r["A_attribute_1"]), instilled.Rows.Select(r => r["A_attribute_1"]));

        // The positive control: the base model reports its own (native) preferences, not the instilled ones.
        var analysis = Analysis.Analyzer.Analyze(dir).Models.Single();
        Assert.Equal(20, analysis.LearnedBase.Count);
        Assert.True(analysis.BaseOwn!.Low > 0.5, $"base vs own choices: {analysis.BaseOwn.Slope} [{analysis.BaseOwn.Low}, {analysis.BaseOwn.High}]");
        Assert.True(analysis.Reports.Base!.Low < 0.3, $"base vs instilled: {analysis.Reports.Base.Slope}");
        Assert.True(analysis.VersusTarget!.Instilled!.Slope > 0.5);
        Assert.Null(analysis.VersusTarget.NativeAfter);
    }

    [Fact]
    public async Task A_run_made_before_selections_base_resumes_by_running_that_stage_alone()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var config = Small();
        var run = await Run(dir, config);
        var file = Path.Combine(dir, PaperLayout.BaseSelections(SimulatedBackend.BaseModelId));
        var before = Outputs(dir);
        File.Delete(file);
        File.Delete(Path.Combine(dir, Elicitation.RepliesDirectory, "selections_base.jsonl"));
        run.Update(m => m.Stages.Remove("selections_base"));

        CountingBackend calls = null!;
        using (var resumed = RunDirectory.OpenOrCreate(dir, config))
            await ExperimentCatalog.RunAsync(resumed, SilentProgress.Instance, CancellationToken.None,
                planned => calls = new CountingBackend(BackendFactory.Create(config, planned.Catalog, planned.Codec, dir)));
        // Only the base model's 6 × 20 choices, in batches of 100: no fine-tuning, no report asked again.
        Assert.Equal((0, 2, 0), (calls.FineTunes, calls.Chooses, calls.Completes));
        var after = Outputs(dir);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var k in before.Keys) Assert.True(before[k].AsSpan().SequenceEqual(after[k]), k);
    }

    private sealed class CountingBackend(IModelBackend inner) : IModelBackend
    {
        public int FineTunes, Chooses, Completes;
        public string Name => inner.Name;
        public IReadOnlyCollection<Type>? ServedTasks => inner.ServedTasks;
        public Task<string> FineTuneAsync(FineTuneRequest r, IProgress<double>? p, CancellationToken ct) { FineTunes++; return inner.FineTuneAsync(r, p, ct); }
        public Task<IReadOnlyList<Choice>> ChooseAsync(string m, IReadOnlyList<ChatPrompt> ps, IProgress<int>? p, CancellationToken ct) { Chooses++; return inner.ChooseAsync(m, ps, p, ct); }
        public Task<IReadOnlyList<string>> CompleteAsync(string m, IReadOnlyList<ChatPrompt> ps, int t, IProgress<int>? p, CancellationToken ct) { Completes++; return inner.CompleteAsync(m, ps, t, p, ct); }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(11)]
    public async Task Killed_and_resumed_run_ends_identical_to_uninterrupted(int callsBeforeDeath)
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        var whole = Path.Combine(root, "whole");
        var broken = Path.Combine(root, "broken");
        var config = Small(selections: 250); // several batches in one stage
        await Run(whole, config);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(broken, config, b => new DyingBackend(b, callsBeforeDeath)));
        await Run(broken, config);
        var a = Outputs(whole);
        var b = Outputs(broken);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var k in a.Keys) Assert.True(a[k].AsSpan().SequenceEqual(b[k]), k);
    }

    [Fact]
    public async Task Resuming_with_a_different_config_is_refused()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        await Run(dir, Small());
        var e = await Assert.ThrowsAsync<UsageException>(() => Run(dir, Small(seed: 2)));
        Assert.Contains("different config", e.Message);
    }

    [Fact]
    public void Torn_last_line_of_the_reply_cache_is_dropped()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "r.jsonl");
        File.WriteAllText(path, "{\"i\":0,\"reply\":\"A\"}\n{\"i\":1,\"rep");
        var cache = new ReplyCache(path);
        Assert.True(cache.TryGet(0, out var r0));
        Assert.Equal("A", r0.Text);
        Assert.False(cache.TryGet(1, out _));
        Assert.Equal("{\"i\":0,\"reply\":\"A\"}\n", File.ReadAllText(path));
    }
}
