using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Experiments.Preferences;
using System.Diagnostics;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Runs;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// Issue 18, cases 2 and 3: resume trusts the files, not only run.json, and one process at a time runs in a
/// run directory. Before: a deleted output stayed deleted (the summary said "no file", or n = 0) and two
/// processes on one directory both went ahead.
/// </summary>
public class RunIntegrityTests
{
    private static string NewRun() => Path.Combine(Directory.CreateTempSubdirectory("integrity").FullName, "run");

    private static string[] Args(string dir, string preset = "quick") => ["run", "--backend", "simulated", "--preset", preset, "--out", dir];

    /// <summary>In-process, for speed: the same host the executable runs.</summary>
    private static int RunInProcess(params string[] args) => CliHost.InvokeAsync(CliHost.CreateRoot(), args).GetAwaiter().GetResult();

    /// <summary>Every file but the run's own bookkeeping (run.json, run.lock) and the backend's model store.</summary>
    private static SortedDictionary<string, byte[]> Outputs(string dir)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(dir, f);
            if (rel is PaperLayout.RunManifestFile or RunDirectory.LockFile || rel.StartsWith("models" + Path.DirectorySeparatorChar)) continue;
            files[rel] = File.ReadAllBytes(f);
        }
        return files;
    }

    /// <summary>summary.json carries the analysis time, the reports run.json's stage timings: compared without them.</summary>
    private static void AssertSame(SortedDictionary<string, byte[]> expected, SortedDictionary<string, byte[]> actual, string context)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (file, bytes) in expected)
        {
            if (file is "report.html" or "report.md") continue;
            if (Path.GetFileName(file) == "summary.json")
                Assert.True(WithoutTiming(bytes) == WithoutTiming(actual[file]), $"{context}: {file}");
            else
                Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{context}: {file} differs");
        }
    }

    private static string WithoutTiming(byte[] json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("elapsed_s");
        return node.ToJsonString();
    }

    [Fact]
    public void Deleting_any_output_file_and_rerunning_restores_it_byte_for_byte()
    {
        var dir = NewRun();
        Assert.Equal(0, RunInProcess(Args(dir)));
        var whole = Outputs(dir);
        Assert.Contains(Path.Combine("replies", "reports_base.jsonl"), whole.Keys);
        Assert.Contains("simulated-base_instilled_latent_selections.csv", whole.Keys);
        Assert.True(whole.Count >= 25, $"only {whole.Count} outputs");
        foreach (var file in whole.Keys)
        {
            File.Delete(Path.Combine(dir, file));
            Assert.Equal(0, RunInProcess(Args(dir)));
            var after = Outputs(dir);
            Assert.True(after.ContainsKey(file), $"{file} was not restored");
            AssertSame(whole, after, $"after deleting {file}");
        }
    }

    [Fact]
    public void An_altered_output_is_written_again_and_unchanged_datasets_are_not_rewritten()
    {
        var dir = NewRun();
        Assert.Equal(0, RunInProcess(Args(dir)));
        var whole = Outputs(dir);
        var reports = Path.Combine(dir, "simulated-base_instilled_weight_reports.csv");
        File.AppendAllText(reports, "tampered\n");
        var dataset = Path.Combine(dir, "instill_20_prefs.jsonl");
        var long_ago = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(dataset, long_ago);

        Assert.Equal(0, RunInProcess(Args(dir)));
        AssertSame(whole, Outputs(dir), "after altering the reports");
        Assert.Equal(long_ago, File.GetLastWriteTimeUtc(dataset)); // same bytes: left alone, not rewritten
        var manifest = RunManifest.Load(Path.Combine(dir, PaperLayout.RunManifestFile));
        Assert.Equal(64, manifest.Stages["reports_instilled"].Outputs!["simulated-base_instilled_weight_reports.csv"].Length);
    }

    [Fact]
    public void An_output_that_cannot_be_restored_fails_with_a_message_naming_it()
    {
        var dir = NewRun();
        Assert.Equal(0, RunInProcess(Args(dir)));
        File.Delete(Path.Combine(dir, "simulated-base_instilled_weight_reports.csv"));
        File.Delete(Path.Combine(dir, "replies", "reports_instilled.jsonl"));
        foreach (var model in Directory.GetFiles(Path.Combine(dir, "models"))) File.Delete(model); // nothing left to ask

        var (code, _, err) = SelfInterpProcess.Run(Args(dir));
        Assert.Equal(1, code);
        Assert.Contains("simulated-base_instilled_weight_reports.csv: missing, and running stage reports_instilled again to restore it failed", err);
        Assert.Contains("unknown model", err);
    }

    [Fact]
    public async Task A_second_process_on_a_run_directory_refuses_with_exit_3_and_the_first_finishes_intact()
    {
        var reference = NewRun();
        Assert.Equal(0, RunInProcess(Args(reference, "paper")));

        var dir = NewRun();
        using var first = Start(Args(dir, "paper"));
        var firstOut = first.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(dir, PaperLayout.RunManifestFile)) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
        using var second = Start(Args(dir, "paper"));
        var secondOut = second.StandardOutput.ReadToEndAsync();
        string err = second.StandardError.ReadToEnd();
        await second.WaitForExitAsync();
        await first.WaitForExitAsync();
        await Task.WhenAll(firstOut, secondOut);

        Assert.False(first.ExitCode == 0 && second.ExitCode == 0, "both processes ran in one directory");
        Assert.Equal(CliHost.RunDirectoryInUse, second.ExitCode);
        Assert.Contains("another selfinterp process is running in this directory", err);
        Assert.Equal(0, first.ExitCode);
        AssertSame(Outputs(reference), Outputs(dir), "the first run");

        // The lock died with its holder: the same command now resumes (nothing to do) and succeeds.
        Assert.Equal(0, RunInProcess(Args(dir, "paper")));
    }

    [Fact]
    public void A_process_killed_while_holding_the_lock_does_not_block_the_resume()
    {
        var dir = NewRun();
        using (var holder = Start(Args(dir, "paper")))
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(dir, PaperLayout.RunManifestFile)) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
            holder.Kill(entireProcessTree: true); // no chance to release anything
            holder.WaitForExit();
        }
        Assert.True(File.Exists(Path.Combine(dir, RunDirectory.LockFile)));
        Assert.Equal(0, RunInProcess(Args(dir, "paper")));
    }

    [Fact]
    public void A_lock_held_in_process_refuses_and_a_refused_open_leaves_the_directory_as_it_was()
    {
        var dir = NewRun();
        var config = PreferencesExperiment.Config("quick") with { Backend = "simulated", BaseModel = "simulated-base" };
        using (RunDirectory.OpenOrCreate(dir, config))
        {
            var e = Assert.Throws<RunDirectoryInUseException>(() => RunDirectory.OpenOrCreate(dir, config));
            Assert.Contains(dir, e.Message);
        }
        using (RunDirectory.OpenOrCreate(dir, config)) { } // released on dispose

        var foreign = Directory.CreateTempSubdirectory("foreign").FullName;
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine");
        Assert.Throws<UsageException>(() => RunDirectory.OpenOrCreate(foreign, config));
        Assert.Equal(["notes.txt"], Directory.GetFiles(foreign).Select(Path.GetFileName));
    }

    private static Process Start(string[] args) => SelfInterpProcess.Start(args);
}
