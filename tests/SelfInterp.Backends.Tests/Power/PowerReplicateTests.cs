using SelfInterp.Experiments;
using SelfInterp.Backends.Simulated;
using SelfInterp.Experiments.Preferences.Power;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.Power;

/// <summary>The factorised pipeline of the power analysis gives exactly the files of a full run.</summary>
[Collection("power")]
public class PowerReplicateTests
{
    [Fact]
    public async Task Assembled_point_is_byte_identical_to_a_full_run()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        var catalog = ScenarioCatalog.Embedded();
        const ulong seed = 5;
        var cell = new PowerCell(6, 20, 10, 30);

        var full = Path.Combine(root, "full");
        var config = PowerReplicate.ConfigOf(cell, 3, seed);
        using (var fullRun = RunDirectory.OpenOrCreate(full, config))
            await ExperimentCatalog.RunAsync(fullRun, SilentProgress.Instance, CancellationToken.None);

        // The reports come from a run with other trials and choice noise, the selections from one with other report noise.
        var reports = await PowerReplicate.RunReportsAsync(PowerReplicate.ConfigOf(cell with { Trials = 50, ChoiceNoise = 5 }, 3, seed),
            Path.Combine(root, "reports"), catalog, CancellationToken.None);
        var selections = await PowerReplicate.RunSelectionsAsync(PowerReplicate.ConfigOf(cell with { ReportNoise = 0 }, 3, seed),
            Path.Combine(root, "selections"), catalog, CancellationToken.None);
        var point = Path.Combine(root, "point");
        PowerReplicate.Assemble(reports, selections, point);

        var files = Directory.GetFiles(point);
        Assert.Equal(10, files.Length); // scenarios, targets, six report files, two selections files
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(full, Path.GetFileName(f)))), Path.GetFileName(f));
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Report_noise_changes_the_reports_and_choice_noise_the_selections()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        var catalog = ScenarioCatalog.Embedded();
        var cell = new PowerCell(4, 10, 10, 30);
        string model = SimulatedBackend.BaseModelId;
        async Task<byte[]> Reports(PowerCell c, string name)
        {
            var dir = await PowerReplicate.RunReportsAsync(PowerReplicate.ConfigOf(c, 2, 1), Path.Combine(root, name), catalog, CancellationToken.None);
            var files = Analysis.Layout.ReportFiles.Find(dir, model);
            Assert.Equal(6, files.Count); // every report file, its name stating the cell's 4 scenarios
            Assert.Equal($"{model}_itrained_first_2_of_4_50ex_weight_reports.csv", files[Analysis.Layout.ReportCondition.ItrainedFirstHalf]);
            return File.ReadAllBytes(Path.Combine(dir, files[Analysis.Layout.ReportCondition.Instilled]));
        }
        async Task<byte[]> Selections(PowerCell c, string name) => File.ReadAllBytes(Path.Combine(
            await PowerReplicate.RunSelectionsAsync(PowerReplicate.ConfigOf(c, 2, 1), Path.Combine(root, name), catalog, CancellationToken.None),
            Analysis.Layout.PaperLayout.InstilledSelections(model)));
        Assert.NotEqual(await Reports(cell, "r30"), await Reports(cell with { ReportNoise = 60 }, "r60"));
        Assert.NotEqual(await Selections(cell, "c10"), await Selections(cell with { ChoiceNoise = 40 }, "c40"));
        Directory.Delete(root, recursive: true);
    }
}
