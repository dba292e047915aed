using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// `analyze` on the authors' published GPT-4o-mini files, unchanged (../shared/paper-data/gpt-4o-mini beside the
/// clone; copied, because the analysis writes analysis/ and the report into the directory). The folder is always
/// there on CI: its absence fails the test, loudly.
/// </summary>
public class PublishedDataTests
{
    private const string Relative = "../shared/paper-data/gpt-4o-mini";

    private static string PublishedDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SelfInterp.slnx")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, Relative));
                Assert.True(Directory.Exists(path), $"the published data are missing: {path} (CI keeps ../shared beside the clone)");
                return path;
            }
        throw new InvalidOperationException($"no SelfInterp.slnx above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Analyze_reproduces_the_published_gpt_4o_mini_figures()
    {
        using var dir = new TempDirectory();
        foreach (var file in Directory.GetFiles(PublishedDirectory())) File.Copy(file, dir.File(Path.GetFileName(file)));

        var summary = Analyzer.Analyze(dir.Path);
        var m = Assert.Single(summary.Models);
        Assert.Equal("gpt-4o-mini-2024-07-18", m.BaseModel);
        // PROTOCOL.md, "Published results": ±0.02, the base control ±0.03.
        Assert.InRange(m.Instillation!.R, 0.871 - 0.02, 0.871 + 0.02);
        Assert.Equal(100, m.Instillation.Scenarios);
        Assert.InRange(m.Reports.Base!.Slope, -0.01 - 0.03, -0.01 + 0.03);
        Assert.InRange(m.Reports.Instilled!.Slope, 0.50 - 0.02, 0.50 + 0.02);
        Assert.InRange(m.Reports.ItrainedHeldOut!.Slope, 0.75 - 0.02, 0.75 + 0.02);
        Assert.InRange(m.Reports.NativeBefore!.Slope, 0.40 - 0.02, 0.40 + 0.02);
        Assert.InRange(m.Reports.NativeAfter!.Slope, 0.70 - 0.02, 0.70 + 0.02);
        // The instilled file leaves its bad reports out: 574 of 1,000 rows.
        Assert.Equal(0, m.Reports.Instilled.BadReports);
        Assert.Empty(m.FailedScenarios);

        // Our learned weights against the authors' brms output, joined by name (their files are sorted by name).
        Assert.Equal(2, m.Published.Count);
        Assert.All(m.Published, p => { Assert.InRange(p.R, 0.999, 1.0); Assert.Equal(100, p.Scenarios); });

        // Both effects, the paired one beside the paper's, with the same point estimate.
        Assert.Equal(m.ItrainingEffect!.Difference, m.PairedItrainingEffect!.Difference, 9);
        Assert.True(m.PairedItrainingEffect.Low > 0 && m.ItrainingEffect.Low > 0);
        Assert.Equal(m.NativeEffect!.Difference, m.PairedNativeEffect!.Difference, 9);
        Assert.Contains("\"itraining_effect_paired\"", SummaryJson.Write(summary));
        // The authors' instilled model reports its instilled preferences, their base model does not: a paired gap above 0.
        Assert.Equal(m.Reports.Instilled!.Slope - m.Reports.Base!.Slope, m.PairedInstilledVsBase!.Difference, 9);
        Assert.True(m.PairedInstilledVsBase.Low > 0.3, $"instilled − base: {m.PairedInstilledVsBase}");
        Assert.Contains("\"instilled_vs_base_paired\"", SummaryJson.Write(summary));
        var (_, markdown) = RunReport.Write(dir.Path, summary);
        Assert.Contains($"Against the published gpt-4o-mini-2024-07-18_regression_results.csv: r = {NiceTicks.Format(m.Published[0].R, 4)} over 100 scenarios.",
            File.ReadAllText(markdown));
    }

    /// <summary>Issue 24: our files' names state a run's counts, read by role; the authors' exact names are still read,
    /// and their summary is the one recorded before that change (Fixtures/published-gpt-4o-mini-summary.json), every
    /// number and warning equal.</summary>
    [Fact]
    public void The_authors_report_files_are_found_by_role_and_their_summary_is_unchanged()
    {
        using var dir = new TempDirectory();
        foreach (var file in Directory.GetFiles(PublishedDirectory())) File.Copy(file, dir.File(Path.GetFileName(file)));
        const string m = "gpt-4o-mini-2024-07-18";
        var found = Layout.ReportFiles.Find(dir.Path, m);
        Assert.Equal(Enum.GetValues<Layout.ReportCondition>(), found.Keys);
        Assert.Equal($"{m}_itrained_first_50_of_100_50ex_weight_reports.csv", found[Layout.ReportCondition.ItrainedFirstHalf]);
        Assert.Equal($"{m}_itrained_last_50_of_100_50ex_weight_reports.csv", found[Layout.ReportCondition.ItrainedSecondHalf]);
        Assert.Equal($"{m}_itrained_all_100_50ex_latent_weight_reports.csv", found[Layout.ReportCondition.NativeAfter]);
        // The paper's counts give the authors' names.
        foreach (var (condition, name) in found) Assert.Equal(name, Layout.PaperLayout.Reports(m, condition, Layout.ReportCounts.Paper));

        Analyzer.Analyze(dir.Path);
        Assert.Equal(WithoutTiming(Path.Combine(AppContext.BaseDirectory, "Fixtures", "published-gpt-4o-mini-summary.json")),
            WithoutTiming(dir.File("analysis/summary.json")));
    }

    private static string WithoutTiming(string path)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(node.Remove("elapsed_s"));
        return node.ToJsonString();
    }
}
