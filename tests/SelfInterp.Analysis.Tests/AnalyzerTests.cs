using SelfInterp.Core.Random;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Csv;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Tests;

public class AnalyzerTests
{
    private const string Model = "simmodel";

    [Fact]
    public void Known_weights_with_perfect_reports_are_recovered()
    {
        using var dir = new TempDirectory();
        var truth = new SyntheticRun { InstilledScenarios = 30, NativeScenarios = 30, InstilledTrials = 400, NativeTrials = 400, ChoiceNoise = 5 }
            .Write(dir.Path);
        var model = Analyzer.Analyze(dir.Path).Models.Single();

        Assert.Equal(30, model.Instillation!.Scenarios);
        Assert.True(model.Instillation.R >= 0.97, $"instillation r {model.Instillation.R:F3}");
        double nativeR = Descriptive.Pearson(
            model.LearnedNative.SelectMany(w => truth.Weights[w.Scenario].Select(v => (double)v)).ToArray(),
            model.LearnedNative.SelectMany(w => w.Weights.Select(v => (double)v)).ToArray());
        Assert.True(nativeR >= 0.97, $"native learned vs truth r {nativeR:F3}");
        foreach (var (key, c) in model.Reports.Named())
        {
            Assert.NotNull(c);
            Assert.True(c.Slope >= 0.95, $"{key}: slope {c.Slope:F3}");
            Assert.True(c.Low < c.Slope && c.Slope < c.High, $"{key}: interval [{c.Low}, {c.High}]");
        }
        Assert.Equal(150, model.Reports.Instilled!.N);
        Assert.Equal(75, model.Reports.ItrainedFirstHalf!.N);
        Assert.Equal(150, model.Reports.ItrainedHeldOut!.N);
        Assert.Empty(model.FailedScenarios);
    }

    [Fact]
    public void Pure_noise_reports_give_slope_intervals_that_cover_zero()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 2, PureNoiseReports = true }.Write(dir.Path);
        var model = Analyzer.Analyze(dir.Path).Models.Single();
        foreach (var c in new[] { model.Reports.Instilled!, model.Reports.ItrainedHeldOut! })
            Assert.True(c.Low < 0 && 0 < c.High, $"interval [{c.Low:F3}, {c.High:F3}]");
        Assert.True(model.Instillation!.R > 0.8, "the choices still carry the weights");
    }

    [Fact]
    public void The_slope_interval_covers_the_true_slope_about_95_percent_of_the_time()
    {
        var rng = new SeededStream("coverage", 3);
        int covered = 0, replicates = 400;
        for (int k = 0; k < replicates; k++)
        {
            var report = Enumerable.Range(0, 100).Select(_ => rng.NextGaussian()).ToArray();
            var learned = Enumerable.Range(0, 100).Select(_ => rng.NextGaussian()).ToArray();
            var zr = Descriptive.ZScores(report);
            var zl = Descriptive.ZScores(learned);
            var pairs = zr.Select((z, i) => new ReportPair(i, 1, report[i], learned[i], z, zl[i])).ToList();
            var c = ReportAccuracy.Compute(pairs, 0, 0);
            Assert.Equal(c.R, c.Slope, 12); // both z-scored over the same pairs: the slope is r
            if (c.Low < 0 && 0 < c.High) covered++;
        }
        Assert.InRange(covered / (double)replicates, 0.92, 0.98);
    }

    [Fact]
    public void Learned_weights_are_standardised_over_all_scenarios_reports_within_their_condition()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 12, InstilledScenarios = 12, NativeScenarios = 4, ReportNoise = 40 }.Write(dir.Path);
        var model = Analyzer.Analyze(dir.Path).Models.Single();
        var all = model.LearnedInstilled.SelectMany(w => w.Weights.Select(v => (double)v)).ToArray();
        double mean = all.Average(), sd = Descriptive.StandardDeviation(all);

        var half = model.Reports.ItrainedFirstHalf!; // scenarios 6..11 only
        Assert.All(half.Pairs, p => Assert.Equal((p.Learned - mean) / sd, p.ZLearned, 12));
        Assert.Equal(0, half.Pairs.Average(p => p.ZReport), 12);
        Assert.NotEqual(0, half.Pairs.Average(p => p.ZLearned), 3);
        Assert.NotEqual(half.R, half.Slope, 6);
        // where the condition covers every scenario both z-scores use the same pairs, and the slope is r
        Assert.Equal(model.Reports.Instilled!.R, model.Reports.Instilled.Slope, 10);
    }

    [Fact]
    public void Writes_paper_layout_results_and_never_modifies_inputs()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 4, InstilledScenarios = 10, NativeScenarios = 6 }.Write(dir.Path);
        var inputs = Directory.GetFiles(dir.Path).ToDictionary(f => f, RunFiles.Hash);

        var summary = Analyzer.Analyze(dir.Path);

        Assert.All(inputs, kv => Assert.Equal(kv.Value, RunFiles.Hash(kv.Key)));
        var results = CsvTable.Read(Path.Combine(dir.Path, "analysis", PaperLayout.RegressionResults(Model)));
        Assert.Equal(PaperLayout.RegressionColumns, results.Header);
        var model = summary.Models.Single();
        Assert.Equal(model.LearnedInstilled.Select(w => w.Scenario), results.Rows.Select(r => r.Int("scenario")));
        Assert.Equal(model.LearnedInstilled[3].Weights, Enumerable.Range(1, 5).Select(i => results.Rows[3].Int($"b_attr{i}")));
        Assert.Contains(100, model.LearnedInstilled[3].Weights.Select(Math.Abs));
        var latent = CsvTable.Read(Path.Combine(dir.Path, "analysis", PaperLayout.LatentRegressionResults(Model)));
        Assert.Equal(6, latent.Rows.Count);
        Assert.True(File.Exists(Path.Combine(dir.Path, "analysis", PaperLayout.SummaryFile)));
    }

    [Fact]
    public void Same_inputs_give_the_same_bytes()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 5, InstilledScenarios = 10, NativeScenarios = 10 }.Write(dir.Path);
        var file = Path.Combine(dir.Path, "analysis", PaperLayout.RegressionResults(Model));
        var first = Analyzer.Analyze(dir.Path, new AnalysisOptions { MaxDegreeOfParallelism = 1 });
        var bytes = File.ReadAllBytes(file);
        var second = Analyzer.Analyze(dir.Path, new AnalysisOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(bytes, File.ReadAllBytes(file));
        Assert.Equal(SummaryJson.Write(first with { ElapsedSeconds = 0 }), SummaryJson.Write(second with { ElapsedSeconds = 0 }));
    }

    [Fact]
    public void Learned_weights_do_not_depend_on_the_units_of_an_attribute()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var run = new SyntheticRun { Seed = 6, InstilledScenarios = 8, NativeScenarios = 4 };
        run.Write(a.Path);
        run.Write(b.Path);
        // Attribute 2 in other units: x → 1000 x + 7 for its range and every option value.
        Func<double, double> units = x => 1000 * x + 7;
        RunFiles.MapColumn(b.File(PaperLayout.ScenariosFile), "attr2_min", units);
        RunFiles.MapColumn(b.File(PaperLayout.ScenariosFile), "attr2_max", units);
        foreach (var f in new[] { PaperLayout.InstilledSelections(Model), PaperLayout.LatentSelections(Model) })
            foreach (var c in new[] { "A_attribute_2", "B_attribute_2" }) RunFiles.MapColumn(b.File(f), c, units);

        var original = Analyzer.Analyze(a.Path).Models.Single();
        var rescaled = Analyzer.Analyze(b.Path).Models.Single();
        Assert.Equal(original.LearnedInstilled.Count, rescaled.LearnedInstilled.Count);
        foreach (var (x, y) in original.LearnedInstilled.Concat(original.LearnedNative).Zip(rescaled.LearnedInstilled.Concat(rescaled.LearnedNative)))
        {
            Assert.Equal(x.Weights, y.Weights);
            for (int i = 0; i < 6; i++) Assert.Equal(x.Posterior.Mean[i], y.Posterior.Mean[i], 6);
        }
    }

    [Fact]
    public void The_table_names_every_measure()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 7, InstilledScenarios = 10, NativeScenarios = 6 }.Write(dir.Path);
        File.Delete(dir.File(PaperLayout.Reports(Model, ReportCondition.Base, ReportCounts.Paper)));
        var table = SummaryTable.Render(Analyzer.Analyze(dir.Path));
        Assert.Contains($"base model: {Model}", table);
        foreach (var key in new[] { "instilled", "itrained_first_half", "itrained_second_half", "itrained_held_out", "native_before", "native_after" })
            Assert.Matches($@"\n  {key} +\u2212?\d\.\d{{3}}  \[", table);
        Assert.Matches(@"\n  base +\(no file\)", table);
        Assert.Contains("itraining effect", table);
    }
}
