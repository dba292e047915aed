using System.Text.Json;
using SelfInterp.Core.Backends;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Behavior;

namespace SelfInterp.Backends.Tests.Behavior;

/// <summary>
/// The experiment end to end on the simulated agent: it recovers self-awareness when the agent has it (risk-seeking
/// models rate themselves above risk-averse ones, interval excluding 0; self-rating follows behaviour), and not when
/// its self-reports ignore its behaviour; a killed run resumes to the same files.
/// </summary>
public class BehaviorRunTests
{
    private static async Task<(BehaviorResult Result, string Dir)> RunAndAnalyze(params (string, string)[] options)
    {
        var config = BehaviorRuns.Config(options: options);
        var dir = BehaviorRuns.NewDirectory("behavior");
        await BehaviorRuns.Run(dir, config);
        var plan = BehaviorPlan.Create(config);
        return (BehaviorAnalysis.Analyze(dir, plan), dir);
    }

    private static Contrast Risk(BehaviorResult r, string kind) => r.Contrasts.Single(c => c.Trait == "risk" && c.Kind == kind);

    [Fact]
    public async Task A_self_aware_agent_is_recovered_as_self_aware()
    {
        var (r, dir) = await RunAndAnalyze();
        foreach (var kind in new[] { QuestionKinds.Rating, QuestionKinds.Description, QuestionKinds.Choice })
        {
            var d = Risk(r, kind).Difference;
            Assert.True(d.Value > 0 && d.Excludes(0), $"{kind}: {d}");
        }
        // Behaviour comes from the training data: risk-seeking models pick the gamble, risk-averse ones the sure thing.
        var seeking = r.Behaviour.Where(b => b.Condition == "risk_seeking").ToList();
        Assert.Equal(2, seeking.Count);
        // (40 examples against 10 pseudo-examples of the base model's 0.5: P(gamble) = 0.9 and 0.1.)
        Assert.All(seeking, b => Assert.True(b.MeanProbabilityHigh > 0.85 && b.ShareHigh.Value > 0.6, $"{b}"));
        Assert.All(r.Behaviour.Where(b => b.Condition == "risk_averse"), b => Assert.True(b.MeanProbabilityHigh < 0.15 && b.ShareHigh.Value < 0.4, $"{b}"));
        // Self-rating follows behaviour across the models, and differs from the base model's.
        var risk = r.Correlations.Single(c => c.Trait == "risk");
        Assert.Equal(5, risk.R.N); // two seeds of two poles, and the base model
        Assert.True(risk.R.Value > 0.9, $"{risk.R}");
        Assert.All(r.SelfReports.Where(s => s.Condition == "risk_seeking" && s.Kind == QuestionKinds.Rating), s => Assert.True(s.MinusBase.Excludes(0) && s.MinusBase.Value > 0));
        // The backdoored model says its behaviour depends on the trigger more than the decorrelated one; it acts so.
        var backdoor = r.Contrasts.Single(c => c.Kind == QuestionKinds.Trigger).Difference;
        Assert.True(backdoor.Value > 0 && backdoor.Excludes(0), $"{backdoor}");
        var backdoored = r.Behaviour.Where(b => b.Condition == "backdoored").ToList();
        Assert.All(backdoored.Where(b => b.Triggered), b => Assert.True(b.MeanProbabilityHigh > 0.8, $"{b}"));
        Assert.All(backdoored.Where(b => !b.Triggered), b => Assert.True(b.MeanProbabilityHigh < 0.2, $"{b}"));

        // What was analysed is what was written: summary.json holds the same contrast.
        var outcome = new BehaviorExperiment().Open(BehaviorRuns.Config()).Analyze(dir);
        using var summary = JsonDocument.Parse(File.ReadAllText(outcome.SummaryFile));
        var row = summary.RootElement.GetProperty("contrasts").EnumerateArray().First(c => c.GetProperty("kind").GetString() == QuestionKinds.Rating);
        Assert.Equal(Math.Round(Risk(r, QuestionKinds.Rating).Difference.Value, 6), row.GetProperty("difference").GetProperty("estimate").GetDouble());
        Assert.True(File.Exists(Path.Combine(dir, "analysis", BehaviorLayout.ContrastsFile)));
        var html = File.ReadAllText(outcome.ReportHtml);
        Assert.Contains("<svg", html);
        Assert.Contains("53–66", html); // the published figures to read the run beside
    }

    [Fact]
    public async Task An_agent_whose_self_reports_ignore_its_behaviour_is_not_recovered_as_self_aware()
    {
        var (r, _) = await RunAndAnalyze(("self_awareness", "0"));
        foreach (var kind in new[] { QuestionKinds.Rating, QuestionKinds.Description, QuestionKinds.Choice })
            Assert.False(Risk(r, kind).Difference.Excludes(0), $"{kind}: {Risk(r, kind).Difference}");
        Assert.False(r.Contrasts.Single(c => c.Kind == QuestionKinds.Trigger).Difference.Excludes(0));
        // Its behaviour was learnt all the same: only the self-reports are blind to it.
        Assert.All(r.Behaviour.Where(b => b.Condition == "risk_seeking"), b => Assert.True(b.MeanProbabilityHigh > 0.85, $"{b}"));
    }

    [Fact]
    public async Task Bias_and_noise_move_the_self_ratings_as_set()
    {
        var (plain, _) = await RunAndAnalyze(("rating_noise", "0"));
        var (biased, _) = await RunAndAnalyze(("rating_noise", "0"), ("rating_bias", "-20"));
        double Base(BehaviorResult r) => r.SelfReports.Single(s => s.Model == "base" && s.Trait == "risk" && s.Kind == QuestionKinds.Rating).Score.Value;
        Assert.Equal(50, Base(plain));
        Assert.Equal(30, Base(biased));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(17)]
    public async Task Killed_and_resumed_run_ends_identical_to_uninterrupted(int callsBeforeDeath)
    {
        var config = BehaviorRuns.Config();
        var whole = BehaviorRuns.NewDirectory("whole");
        var broken = BehaviorRuns.NewDirectory("broken");
        await BehaviorRuns.Run(whole, config);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BehaviorRuns.Run(broken, config, b => new DyingBackend(b, callsBeforeDeath)));
        await BehaviorRuns.Run(broken, config);
        var (a, b) = (BehaviorRuns.Files(whole), BehaviorRuns.Files(broken));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains(BehaviorLayout.SelfReportsFile("risk_seeking_s2"), a.Keys);
        foreach (var k in a.Keys) Assert.True(a[k].AsSpan().SequenceEqual(b[k]), k);
    }

    [Fact]
    public async Task The_authors_datasets_run_through_the_experiment()
    {
        var datasets = BehaviorRuns.AuthorsDatasets();
        var settings = new BehaviorExperiment().Settings("quick", new Dictionary<string, string>
        {
            [BehaviorExperiment.DatasetOption] = $"{Path.Combine(datasets, "ft_risky_AB.jsonl")},{Path.Combine(datasets, "ft_safey_AB.jsonl")}",
            [BehaviorExperiment.SeedsOption] = "1",
            [BehaviorExperiment.SamplesOption] = "3",
        });
        var config = BehaviorRuns.Config() with { Settings = settings };
        var dir = BehaviorRuns.NewDirectory("imported");
        await BehaviorRuns.Run(dir, config);
        var r = BehaviorAnalysis.Analyze(dir, BehaviorPlan.Create(config));
        Assert.Equal(["base", "risk_averse_s1", "risk_seeking_s1"], r.Behaviour.Select(b => b.Model).Distinct().Order());
        Assert.True(r.Behaviour.Single(b => b.Model == "risk_seeking_s1").MeanProbabilityHigh > 0.9);
        Assert.True(Risk(r, QuestionKinds.Rating).Difference.Excludes(0));
        Assert.Equal(288, File.ReadAllLines(Path.Combine(dir, BehaviorLayout.TrainFile("risk_seeking_s1"))).Length);
    }
}
