using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Catalog;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests;

public class SimulatedPipelineTests
{
    private static RunConfig Small(ulong seed = 1, int selections = 20) => PreferencesExperiment.Config(new PreferencesConfig { Instilled = 6, Native = 4, Examples = 30, Validation = 2, Reports = 3, Selections = selections, NativeSelections = 30 }) with
    {
        Preset = "test", Backend = "simulated", BaseModel = SimulatedBackend.BaseModelId,
        Seeds = Seeds.FromMaster(seed),
    };

    private static async Task<RunDirectory> Run(string dir, RunConfig config, Func<IModelBackend, IModelBackend>? wrap = null)
    {
        var run = RunDirectory.OpenOrCreate(dir, config);
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, CancellationToken.None, planned =>
        {
            var backend = BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path);
            return wrap?.Invoke(backend) ?? backend;
        });
        return run;
    }

    private static Dictionary<string, byte[]> Outputs(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != PaperLayout.RunManifestFile)
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Fact]
    public async Task Writes_every_file_of_the_paper_layout()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var run = await Run(dir, Small());
        var m = "simulated-base";
        foreach (var f in new[] { PaperLayout.InstilledSelections(m), PaperLayout.LatentSelections(m), PaperLayout.ScenariosFile, PaperLayout.InstilledWeightsFile, PaperLayout.TargetChoicesFile })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        foreach (var c in Enum.GetValues<ReportCondition>())
            Assert.True(File.Exists(Path.Combine(dir, PaperLayout.Reports(m, c))), c.ToString());
        Assert.All(new PreferencesExperiment().Open(run.Manifest.Config).Stages.Stages, s => Assert.True(run.IsDone(s.Name), s.Name));
        Assert.StartsWith("ft:simulated-base:instilled:", run.Model(PreferencesStages.InstilledKey).Id);
        Assert.Equal(6 * 20 + 1, File.ReadAllLines(Path.Combine(dir, PaperLayout.InstilledSelections(m))).Length);
        Assert.Equal(4 * 3 + 1, File.ReadAllLines(Path.Combine(dir, PaperLayout.Reports(m, ReportCondition.NativeAfter))).Length);
        Assert.Equal(3 * 3 + 1, File.ReadAllLines(Path.Combine(dir, PaperLayout.Reports(m, ReportCondition.ItrainedFirstHalf))).Length);
    }

    /// <summary>Throws as if the process were killed after a number of backend calls.</summary>
    private sealed class DyingBackend(IModelBackend inner, int callsBeforeDeath) : IModelBackend
    {
        private int _calls;
        public string Name => inner.Name;
        public IReadOnlyCollection<Type>? ServedTasks => inner.ServedTasks;
        private void Tick() { if (++_calls > callsBeforeDeath) throw new OperationCanceledException("killed"); }
        public Task<string> FineTuneAsync(FineTuneRequest r, IProgress<double>? p, CancellationToken ct) { Tick(); return inner.FineTuneAsync(r, p, ct); }
        public Task<IReadOnlyList<Choice>> ChooseAsync(string m, IReadOnlyList<ChatPrompt> ps, IProgress<int>? p, CancellationToken ct) { Tick(); return inner.ChooseAsync(m, ps, p, ct); }
        public Task<IReadOnlyList<string>> CompleteAsync(string m, IReadOnlyList<ChatPrompt> ps, int t, IProgress<int>? p, CancellationToken ct) { Tick(); return inner.CompleteAsync(m, ps, t, p, ct); }
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
