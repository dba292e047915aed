namespace SelfInterp.Analysis.Tests;

/// <summary>
/// The itraining effect as a paired comparison over scenarios. Reports in every condition share each scenario ×
/// attribute's error (the model's own misreading, the learned weights' estimation error), and itraining lowers
/// only the fresh noise: a real, modest gain that the paper's independent-samples interaction model cannot
/// separate from the shared error and the paired bootstrap can.
/// </summary>
public class PairedEffectTests
{
    [Fact]
    public void A_known_positive_itraining_effect_is_found_by_the_paired_interval_where_the_interaction_model_covers_zero()
    {
        using var dir = new TempDirectory();
        new SyntheticRun
        {
            Seed = 5, InstilledScenarios = 40, NativeScenarios = 10, ChoiceNoise = 10,
            SharedReportError = 60, ReportNoise = 100, ItrainedReportNoise = 0,
        }.Write(dir.Path);
        var m = Analyzer.Analyze(dir.Path, new AnalysisOptions { WriteFiles = false }).Models.Single();

        Assert.True(m.Reports.ItrainedHeldOut!.Slope > m.Reports.Instilled!.Slope);
        var paired = m.PairedItrainingEffect!;
        var paper = m.ItrainingEffect!;
        Assert.Equal(paper.Difference, paired.Difference, 9);
        Assert.True(paired.Low > 0, $"paired: {paired}");
        Assert.True(paper.Low < 0 && paper.High > 0, $"interaction model: {paper}");
        Assert.True(paired.High - paired.Low < 0.6 * (paper.High - paper.Low));
    }

    [Theory]
    [InlineData(150.0, true)]   // the base model's reports mostly noise: the instilled model's follow its preferences better
    [InlineData(null, false)]   // the same noise in both: no difference to find
    public void Instilled_against_base_is_a_paired_difference_over_the_instilled_scenarios(double? baseNoise, bool better)
    {
        using var dir = new TempDirectory();
        new SyntheticRun
        {
            Seed = 7, InstilledScenarios = 40, NativeScenarios = 10, SharedReportError = 30, ReportNoise = 40, BaseReportNoise = baseNoise,
        }.Write(dir.Path);
        var m = Analyzer.Analyze(dir.Path, new AnalysisOptions { WriteFiles = false }).Models.Single();

        var d = m.PairedInstilledVsBase!;
        Assert.Equal(m.Reports.Instilled!.Slope - m.Reports.Base!.Slope, d.Difference, 9);
        if (better) Assert.True(d.Low > 0, $"instilled − base: {d}");
        else Assert.True(d.Low < 0 && d.High > 0, $"instilled − base: {d}");
    }

    [Fact]
    public void The_paired_interval_is_the_same_for_the_same_seed_and_moves_with_another()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 6, InstilledScenarios = 20, NativeScenarios = 10, ReportNoise = 40 }.Write(dir.Path);
        var options = new AnalysisOptions { WriteFiles = false };
        var a = Analyzer.Analyze(dir.Path, options).Models.Single();
        var b = Analyzer.Analyze(dir.Path, options).Models.Single();
        var c = Analyzer.Analyze(dir.Path, options with { Seed = 99 }).Models.Single();
        Assert.Equal(a.PairedItrainingEffect, b.PairedItrainingEffect);
        Assert.Equal(a.PairedNativeEffect, b.PairedNativeEffect);
        Assert.Equal(a.PairedInstilledVsBase, b.PairedInstilledVsBase);
        Assert.NotEqual(a.PairedItrainingEffect!.Low, c.PairedItrainingEffect!.Low);
    }
}
