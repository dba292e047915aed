namespace SelfInterp.WhiteBox.Tests;

/// <summary>Issue 24: `probe`, `intervene` and `wrapper` printed no headline; they print the numbers to read first.</summary>
public class WhiteBoxHeadlineTests
{
    [Fact]
    public void Probe_headline_shows_the_best_layer_per_model_site_and_target()
    {
        var rows = new[]
        {
            new ProbeRow("instilled", "hook_embed", "decision_name", "instilled_target", 30, 0.81, 0.7, 0.9, 1, 0.8, 1.2),
            new ProbeRow("instilled", "blocks.1.hook_resid_post", "decision_name", "instilled_target", 30, 0.42, 0.2, 0.6, 1, 0.8, 1.2),
            new ProbeRow("base", "hook_embed", "decision_name", "instilled_target", 30, -0.12, -0.3, 0.05, 1, 0.8, 1.2),
        };
        var text = WhiteBoxHeadline.Probes(rows);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // title, header, one line per (model, site, target)
        Assert.Matches(@"instilled\s+decision_name\s+instilled_target\s+hook_embed\s+0\.810\s+\[0\.700, 0\.900\]", text);
        Assert.DoesNotContain("blocks.1.hook_resid_post", text);
        Assert.Contains("\u22120.120", text); // one minus sign, as the reports
        Assert.DoesNotContain("null", text);   // no nulls drawn: no column for them
    }

    [Fact]
    public void Probe_headline_shows_each_best_probes_null_beside_its_r()
    {
        var rows = new[]
        {
            new ProbeRow("instilled", "hook_embed", "decision_name", "instilled_target", 30, 0.81, 0.7, 0.9, 1, 0.8, 1.2) { Shuffled = new NullComparison(0.21, 1.0 / 101, 100) },
        };
        var text = WhiteBoxHeadline.Probes(rows);
        Assert.Contains("shuffled null 95th, p", text);
        Assert.Matches(@"hook_embed\s+0\.810\s+\[0\.700, 0\.900\]\s+0\.210, p 0\.010", text);
    }

    [Fact]
    public void Intervention_headline_shows_the_largest_change_per_test_and_model()
    {
        var rows = new[]
        {
            new InterventionRow("steering", "instilled", "blocks.0", "alpha=1", "mean_change", 40, 2.0, 1.0, 3.0, 0.5, -0.1, 1.1),
            new InterventionRow("steering", "instilled", "blocks.0", "alpha=4", "mean_change", 40, -9.0, -11.0, -7.0, 3.0, 1.0, 5.0),
            new InterventionRow("report_path", "itrained_all", "blocks.1", "all", "grounding_ratio", 40, double.NaN, double.NaN, double.NaN, 0.3, 0.1, 0.5),
        };
        var text = WhiteBoxHeadline.Interventions(rows);
        Assert.Matches(@"steering\s+instilled\s+blocks\.0\s+alpha=4\s+\u22129\.000", text);
        Assert.DoesNotContain("alpha=1 ", text);
        Assert.Matches(@"report_path\s+itrained_all\s+blocks\.1\s+all\s+n/a", text);
    }

    [Fact]
    public void Long_hook_names_never_run_into_the_next_column()
    {
        var rows = new[]
        {
            new InterventionRow("decision_path", "itrained_first", "blocks.1.hook_resid_post", "x0", "mean_change", 40, 2.0, 1.0, 3.0, 0.5, -0.1, 1.1),
        };
        var text = WhiteBoxHeadline.Interventions(rows);
        Assert.Matches(@"decision_path\s+itrained_first\s+blocks\.1\.hook_resid_post\s+x0\s", text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[1].IndexOf("setting", StringComparison.Ordinal), lines[2].IndexOf("x0", StringComparison.Ordinal));
    }

    [Fact]
    public void Wrapper_headline_lists_every_reverted_share_and_measure()
    {
        var rows = new[]
        {
            new WrapperRow(0.01, 120, "choices_vs_base_weights", 30, 0.2, 0.0, 0.4),
            new WrapperRow(0.001, 12, "choices_vs_base_weights", 30, 0.05, -0.1, 0.2),
        };
        var lines = WhiteBoxHeadline.Wrapper(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("0.1%", lines[2]); // ordered by share reverted
        Assert.Contains("[\u22120.100, 0.200]", lines[2]);
    }
}
