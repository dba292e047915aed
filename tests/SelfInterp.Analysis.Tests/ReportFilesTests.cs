using SelfInterp.Analysis.Layout;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// Issue 24: report files whose names state the run's counts, found by role. A 20-scenario run of ours writes
/// "10_of_20"; the authors' folders and our runs made before this change hold the paper's "50_of_100" names, and
/// both are read.
/// </summary>
public class ReportFilesTests
{
    private const string Model = "m";

    private static void Touch(TempDirectory dir, string name) => File.WriteAllText(dir.File(name), "");

    [Fact]
    public void Names_state_the_runs_counts_and_the_paper_counts_give_the_published_names()
    {
        var quick = new ReportCounts(20, 50);
        Assert.Equal("m_itrained_first_10_of_20_50ex_weight_reports.csv", PaperLayout.Reports(Model, ReportCondition.ItrainedFirstHalf, quick));
        Assert.Equal("m_itrained_last_10_of_20_50ex_weight_reports.csv", PaperLayout.Reports(Model, ReportCondition.ItrainedSecondHalf, quick));
        Assert.Equal("m_itrained_all_20_50ex_latent_weight_reports.csv", PaperLayout.Reports(Model, ReportCondition.NativeAfter, quick));
        Assert.Equal("m_itrained_first_50_of_100_50ex_weight_reports.csv", PaperLayout.Reports(Model, ReportCondition.ItrainedFirstHalf, ReportCounts.Paper));
        Assert.Equal("m_itrained_all_100_50ex_latent_weight_reports.csv", PaperLayout.Reports(Model, ReportCondition.NativeAfter, ReportCounts.Paper));
        Assert.Equal("m_weight_reports.csv", PaperLayout.Reports(Model, ReportCondition.Base, quick));
        Assert.Equal("m_itrained_all_*_*ex_latent_weight_reports.csv", ReportFiles.Pattern(Model, ReportCondition.NativeAfter));
    }

    [Fact]
    public void Files_are_found_by_role_whatever_counts_they_state_and_other_models_files_are_not_taken()
    {
        using var dir = new TempDirectory();
        var names = new Dictionary<ReportCondition, string>
        {
            [ReportCondition.Base] = "m_weight_reports.csv",
            [ReportCondition.ItrainedFirstHalf] = "m_itrained_first_3_of_6_30ex_weight_reports.csv",
            [ReportCondition.ItrainedSecondHalf] = "m_itrained_last_50_of_100_50ex_weight_reports.csv",
            [ReportCondition.NativeAfter] = "m_itrained_all_6_30ex_latent_weight_reports.csv",
        };
        foreach (var n in names.Values) Touch(dir, n);
        Touch(dir, "m.x_itrained_first_3_of_6_30ex_weight_reports.csv"); // another model's (a '.' is not a wildcard)
        Touch(dir, "mm_instilled_weight_reports.csv");
        Touch(dir, "m_itrained_first_x_of_6_30ex_weight_reports.csv");    // not a count

        var found = ReportFiles.Find(dir.Path, Model);
        Assert.Equal(names.OrderBy(n => n.Key), found.OrderBy(f => f.Key));
    }

    [Fact]
    public void Two_files_of_one_role_without_run_json_are_refused_naming_both()
    {
        using var dir = new TempDirectory();
        Touch(dir, "m_itrained_first_10_of_20_50ex_weight_reports.csv");
        Touch(dir, "m_itrained_first_50_of_100_50ex_weight_reports.csv");
        var e = Assert.Throws<DataFileException>(() => ReportFiles.Find(dir.Path, Model));
        Assert.Contains("m_itrained_first_10_of_20_50ex_weight_reports.csv, m_itrained_first_50_of_100_50ex_weight_reports.csv", e.Message);
        Assert.Contains("run.json does not say which", e.Message);
    }

    [Fact]
    public void Two_files_of_one_role_in_a_run_resumed_since_the_rename_are_told_apart_by_run_json()
    {
        using var dir = new TempDirectory();
        Touch(dir, "m_itrained_first_10_of_20_50ex_weight_reports.csv");
        Touch(dir, "m_itrained_first_50_of_100_50ex_weight_reports.csv"); // left by the run before it was resumed
        new RunManifest
        {
            Stages =
            {
                ["reports_itrained_first"] = new StageRecord
                {
                    Status = "done",
                    Outputs = new(StringComparer.Ordinal) { ["m_itrained_first_10_of_20_50ex_weight_reports.csv"] = "00" },
                },
            },
        }.Save(dir.File(RunDirectory.ManifestFile));
        Assert.Equal("m_itrained_first_10_of_20_50ex_weight_reports.csv", ReportFiles.Find(dir.Path, Model)[ReportCondition.ItrainedFirstHalf]);
    }
}
