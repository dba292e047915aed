using SelfInterp.Backends;
using SelfInterp.Cli;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Preferences;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Organisms;
using SelfInterp.WhiteBox;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>`probe` and `intervene --scenarios N --report-tokens N` through the command line on a Hugging Face run with
/// random adapters: each model is measured on the first N scenarios of each kind, analysis/lab.json records the limits
/// and the scenarios, and the report says the lab was reduced, until the full lab replaces the results.</summary>
[Collection(InProcessCli.Collection)]
public sealed class ReducedLabCliTests
{
    static async Task<int> Cli(params string[] args) => await CliHost.InvokeAsync(CliHost.CreateRoot(), args);

    /// <summary>A run on a tiny random Qwen2 checkpoint stopped at its first fine-tune, with random adapters registered
    /// as its trained models (the lab needs no elicitation).</summary>
    internal static async Task<(string Run, IReadOnlyList<int> Native)> AdapterRun(TempDirectory dir)
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied with { MaxPositions = 2048 });
        fixture.WriteHf(dir["hf"]);
        RandomPeftAdapter.Write(fixture.Spec, dir["adapter"], 4, ["q_proj", "v_proj", "down_proj"], 16, false, seed: 5);
        var config = PreferencesExperiment.Config(new PreferencesConfig
        {
            Instilled = 4, Native = 2, Examples = 4, Validation = 1, Reports = 1, Selections = 6, NativeSelections = 6, ReportMaxTokens = 12,
        }) with { Preset = "test", Backend = "local", BaseModel = ShippedOrganisms.Resolve($"hf:{dir["hf"]}", new Dictionary<string, string>()) };
        var planned = new PreferencesExperiment().Open(config);
        using var run = RunDirectory.OpenOrCreate(dir["run"], config);
        var stop = await Assert.ThrowsAsync<FineTuneElsewhereException>(() =>
            Runner.RunAsync(run, planned, BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path), SilentProgress.Instance, default));
        // The stop says how this route registers its models: adapter directories on the base checkpoint, read from disk.
        Assert.Contains($"itrained_all={config.BaseModel}+adapter:ADAPTER_DIR", stop.Message);
        Assert.DoesNotContain("serve them", stop.Message);
        var fineTunes = planned.Stages.Stages.OfType<FineTuneStage>().ToDictionary(s => s.ResultKey, s => s.FromKey);
        ModelRegistration.Set(run, fineTunes, fineTunes.Keys.Select(k => $"{k}={config.BaseModel}+adapter:{dir["adapter"]}").ToList(), stages: planned.Stages.Stages);
        return (dir["run"], [.. PreferencesPlan.Create(config).Config.NativeScenarios]);
    }

    [Fact]
    public async Task A_reduced_lab_measures_the_first_scenarios_and_says_so_until_the_full_lab_runs()
    {
        using var dir = new TempDirectory();
        var (run, native) = await AdapterRun(dir);
        var instilled = Enumerable.Range(0, 4).ToList();
        Assert.Equal(0, await Cli("probe", run, "--scenarios", "2", "--trials", "8", "--reports", "1", "--nulls", "0", "--report-tokens", "4", "--threads", "1"));

        string analysis = Path.Combine(run, "analysis");
        var probes = File.ReadAllLines(Path.Combine(analysis, ProbeStudy.FileName)).Skip(1).Select(l => l.Split(',')).ToList();
        // Units of a name-site probe: (scenario, attribute) pairs; 2 instilled + 2 native scenarios, or the 2 instilled.
        Assert.All(probes.Where(p => p[2] == "decision_name" && p[3] == "learned_weight"), p => Assert.Equal("20", p[4]));
        Assert.All(probes.Where(p => p[2] == "decision_name" && p[3] == "instilled_target"), p => Assert.Equal("10", p[4]));
        Assert.All(probes.Where(p => p[2] == "decision_answer"), p => Assert.Equal("32", p[4]));   // 4 scenarios × 8 trials

        var manifest = LabManifest.Load(analysis);
        var entry = manifest.Commands["probe"];
        Assert.True(entry.Reduced);
        Assert.Equal(2, entry.ScenarioLimit);
        Assert.Equal((4, 12), (entry.ReportMaxTokens, entry.ReportMaxTokensInRun));
        Assert.Equal((8, 1), (entry.Trials, entry.Reports));
        Assert.Equal("0", entry.Settings["nulls"]);
        Assert.Equal(["base", "instilled", "itrained"], entry.Models.Select(m => m.Model));
        Assert.All(entry.Models, m => Assert.Equal(instilled.Take(2), m.Instilled));
        Assert.All(entry.Models, m => Assert.Equal(native.Take(2), m.Native));
        Assert.All(entry.Models, m => Assert.Equal((4, 2), (m.InstilledInRun, m.NativeInRun)));
        string md = File.ReadAllText(Path.Combine(run, WhiteBoxReport.MarkdownFile));
        Assert.Contains("Reduced lab: `probe`", md);
        Assert.Contains("reports cut at 4 tokens", md);
        Assert.Contains("Reduced lab: `probe`", File.ReadAllText(Path.Combine(run, WhiteBoxReport.HtmlFile)));

        // intervene steers the instilled scenarios it is limited to; its entry joins probe's.
        Assert.Equal(0, await Cli("intervene", run, "--scenarios", "3", "--trials", "8", "--reports", "1", "--steer", "-10,10", "--threads", "1"));
        var interventions = File.ReadAllLines(Path.Combine(analysis, InterventionStudy.FileName)).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["-10", "+10"], interventions.Where(r => r[0] == "steering" && r[1] == "instilled" && r[4] == "mean_change").Select(r => r[3]));
        manifest = LabManifest.Load(analysis);
        Assert.Equal(["intervene", "probe"], manifest.Commands.Keys);
        Assert.Equal(3, manifest.Commands["intervene"].ScenarioLimit);
        Assert.All(manifest.Commands["intervene"].Models, m => Assert.Equal(instilled.Take(3), m.Instilled));
        Assert.All(manifest.Commands["intervene"].Models, m => Assert.Equal(native.Take(3), m.Native));
        Assert.Equal("-10,10", manifest.Commands["intervene"].Settings["steer"]);
        Assert.Equal(12, manifest.Commands["intervene"].ReportMaxTokens);   // no --report-tokens: the run's own
        md = File.ReadAllText(Path.Combine(run, WhiteBoxReport.MarkdownFile));
        Assert.Contains("Reduced lab: `intervene`", md);
        Assert.DoesNotContain("reports cut", md.Split('\n').Single(l => l.Contains("Reduced lab: `intervene`")));

        // The full lab (a report budget above the run's is no cut) replaces probe's results, and its note goes.
        Assert.Equal(0, await Cli("probe", run, "--trials", "8", "--reports", "1", "--nulls", "0", "--report-tokens", "500", "--threads", "1"));
        entry = LabManifest.Load(analysis).Commands["probe"];
        Assert.False(entry.Reduced);
        Assert.Null(entry.ScenarioLimit);
        Assert.Equal(12, entry.ReportMaxTokens);
        Assert.All(entry.Models.Where(m => m.Model != "base"), m => Assert.Equal(instilled, m.Instilled));
        md = File.ReadAllText(Path.Combine(run, WhiteBoxReport.MarkdownFile));
        Assert.DoesNotContain("Reduced lab: `probe`", md);
        Assert.Contains("Reduced lab: `intervene`", md);
    }

    [Theory]
    [InlineData("probe", "--scenarios", "1", "--scenarios: need at least 2")]
    [InlineData("intervene", "--report-tokens", "0", "--report-tokens: need at least 1")]
    public async Task Limits_below_their_minimum_are_refused_before_any_model_is_loaded(string command, string option, string value, string message)
    {
        using var dir = new TempDirectory();
        var (run, _) = await AdapterRun(dir);
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try { Assert.Equal(CliHost.BadInput, await Cli(command, run, option, value)); }
        finally { Console.SetError(saved); }
        Assert.Contains(message, error.ToString());
        Assert.False(File.Exists(Path.Combine(run, "analysis", LabManifest.FileName)));
    }
}
