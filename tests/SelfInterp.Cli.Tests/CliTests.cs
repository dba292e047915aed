using System.Diagnostics;
using System.Text.Json;

namespace SelfInterp.Cli.Tests;

/// <summary>The selfinterp executable as a user runs it: exit codes, messages, and a real kill-and-resume.</summary>
public class CliTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "selfinterp.dll");

    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr);
    }

    /// <summary>Starts the CLI with SIGINT at its default disposition. A test run started as a background job of a
    /// non-interactive shell (`./test.sh &`, as CI runners may) inherits SIGINT ignored, its children too, and .NET keeps
    /// an inherited ignore: the interrupt would never reach the CLI. `env --default-signal` resets it for the child only.</summary>
    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static string Temp() => Directory.CreateTempSubdirectory("cli").FullName;

    [Fact]
    public async Task Interrupting_pretrain_before_its_first_checkpoint_says_the_checkpoint_is_unfinished_and_does_not_promise_a_resume()
    {
        var dir = Path.Combine(Temp(), "org");
        using var p = Start(["pretrain", "--recipe", "naive", "--steps", "100000", "--threads", "1", "--out", dir]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // The log is written at step 0, after the corpus exists: the loop is running then.
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(dir, "pretrain_log.csv")) && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(100);
        Assert.True(File.Exists(Path.Combine(dir, "pretrain_log.csv")), "pretraining never reached its first step");
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) kill.WaitForExit();
        Assert.True(p.WaitForExit(60_000), "pretrain did not stop on SIGINT");
        Assert.Equal(1, p.ExitCode);
        string err = await stderr, output = await stdout;
        Assert.Contains("before its first checkpoint", err);
        Assert.Contains("starts it over", err);
        Assert.Contains("unfinished", err);
        Assert.DoesNotContain("resumes it", err);
        Assert.DoesNotContain("saved:", output);
    }

    [Fact]
    public void Validate_json_reports_the_shipped_catalog()
    {
        var (code, stdout, _) = Run("scenarios", "validate", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("scenarios").GetInt32() >= 300);
        Assert.True(doc.RootElement.GetProperty("roles").GetInt32() >= 300);
        Assert.Equal(0, doc.RootElement.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void Bad_catalog_exits_2_naming_file_scenario_and_field()
    {
        var path = Path.Combine(Temp(), "bad.json");
        File.WriteAllText(path, """[{"short_name": "x_y", "question": "Which?", "attributes": [{"name": "a_b", "units": "", "range": [3, 1]}]}]""");
        var (code, stdout, _) = Run("scenarios", "validate", "--catalog", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}: scenario 0 (x_y): field 'attributes'", stdout);
        Assert.Contains("field 'attributes[0].range'", stdout);

        var (runCode, _, err) = Run("dataset", "build", "--out", Path.Combine(Temp(), "d"), "--catalog", path);
        Assert.Equal(2, runCode);
        Assert.Contains(path, err);
    }

    [Fact]
    public void Unknown_preset_backend_and_options_exit_2()
    {
        var (c1, _, e1) = Run("run", "--preset", "enormous", "--backend", "simulated", "--out", Path.Combine(Temp(), "r"));
        Assert.Equal(2, c1);
        Assert.Contains("unknown preset 'enormous'", e1);
        var (c2, _, e2) = Run("run", "--backend", "magic", "--out", Path.Combine(Temp(), "r"));
        Assert.Equal(2, c2);
        Assert.Contains("unknown backend 'magic'", e2);
        var (c3, _, _) = Run("run", "--no-such-flag");
        Assert.Equal(2, c3);
        var prompts = Path.Combine(Temp(), "prompts.json");
        File.WriteAllText(prompts, """{"system": "s", "decision": "{question}", "option_line": "{name}: {value}", "report": "{question} {attribute_names}"}""");
        var dir = Path.Combine(Temp(), "r");
        var (c4, _, e4) = Run("run", "--backend", "simulated", "--prompts", prompts, "--out", dir);
        Assert.Equal(2, c4);
        Assert.Contains($"{prompts}: field 'decision': lacks the placeholder {{options_a}}", e4);
        Assert.False(Directory.Exists(dir), "bad input must leave no run directory behind");
    }

    [Fact]
    public void Dataset_build_writes_the_layout()
    {
        var dir = Path.Combine(Temp(), "d");
        var (code, _, _) = Run("dataset", "build", "--out", dir, "--instilled", "10", "--native", "5", "--examples", "7", "--validation", "3");
        Assert.Equal(0, code);
        Assert.Equal(70, File.ReadAllLines(Path.Combine(dir, "instill_10_prefs.jsonl")).Length);
        Assert.Equal(30, File.ReadAllLines(Path.Combine(dir, "instill_10_prefs_val.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(dir, "itrain_first_5_of_10.jsonl")));
        // The whole catalog, as the published scenarios.csv: row order is the scenario index.
        Assert.Equal(321, File.ReadAllLines(Path.Combine(dir, "scenarios.csv")).Length);
    }

    [Fact]
    public void Analyze_with_out_writes_the_analysis_and_report_there_and_leaves_the_data_untouched()
    {
        var root = Temp();
        var data = Path.Combine(root, "data");
        Assert.Equal(0, Run("run", "--backend", "simulated", "--out", data).Code);
        Directory.Delete(Path.Combine(data, "analysis"), recursive: true);
        foreach (var f in new[] { "report.html", "report.md" }) File.Delete(Path.Combine(data, f));
        var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

        var output = Path.Combine(root, "out");
        var (code, stdout, err) = Run("analyze", data, "--out", output);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(output, "analysis", "summary.json")));
        Assert.Contains(Path.Combine(output, "report.html"), stdout);
        Assert.True(File.Exists(Path.Combine(output, "report.md")));
        var after = Directory.GetFiles(data, "*", SearchOption.AllDirectories);
        Assert.Equal(before.Keys.Order(), after.Order());
        foreach (var f in after) Assert.True(before[f].AsSpan().SequenceEqual(File.ReadAllBytes(f)), f);
    }

    [Fact]
    public void Analyze_takes_the_scenario_files_it_is_given_and_a_missing_one_exits_2()
    {
        var root = Temp();
        var data = Path.Combine(root, "data");
        var runDir = Path.Combine(data, "run");
        Assert.Equal(0, Run("run", "--backend", "simulated", "--out", runDir).Code);
        // The replication's layout: the scenario files one folder up, found there.
        foreach (var f in new[] { "scenarios.csv", "instilled_weights.csv" }) File.Move(Path.Combine(runDir, f), Path.Combine(data, f));
        var (code, stdout, _) = Run("analyze", runDir, "--json");
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(stdout))
            Assert.Equal(Path.Combine("..", "scenarios.csv"), doc.RootElement.GetProperty("scenarios_file").GetString());

        // Named explicitly, from anywhere.
        var elsewhere = Path.Combine(root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        foreach (var f in new[] { "scenarios.csv", "instilled_weights.csv" }) File.Move(Path.Combine(data, f), Path.Combine(elsewhere, f));
        Assert.Equal(2, Run("analyze", runDir).Code);
        var named = Run("analyze", runDir, "--json", "--scenarios", Path.Combine(elsewhere, "scenarios.csv"), "--weights", Path.Combine(elsewhere, "instilled_weights.csv"));
        Assert.Equal(0, named.Code);
        using (var doc = JsonDocument.Parse(named.Out))
            Assert.Equal(Path.Combine("..", "..", "elsewhere", "instilled_weights.csv"), doc.RootElement.GetProperty("weights_file").GetString());

        var missing = Run("analyze", runDir, "--scenarios", Path.Combine(elsewhere, "nope.csv"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("nope.csv", missing.Err);
        Assert.Contains("--scenarios", missing.Err);
    }

    [Fact]
    public void Run_into_a_pipe_prints_one_plain_line_per_stage_then_the_table()
    {
        var dir = Path.Combine(Temp(), "r");
        var (code, stdout, _) = Run("run", "--backend", "simulated", "--out", dir);
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', stdout);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stages = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!["stages"]!.AsObject()
            .Select(kv => kv.Key).Append("datasets").ToList();
        foreach (var stage in stages)
        {
            var stageLines = lines.Where(l => l.StartsWith(stage + " ")).ToList();
            Assert.True(stageLines.Count == 1, $"stage {stage}: {stageLines.Count} lines in\n{stdout}");
            Assert.Matches(@"^\S+ +\d+ +\d+\.\d s  \S", stageLines[0]);
        }
        Assert.Contains(lines, l => l.TrimStart().StartsWith("instillation: learned vs target r ="));

        // Resumed: every stage says it was done earlier, still one line each.
        var (again, resumed, _) = Run("run", "--backend", "simulated", "--out", dir);
        Assert.Equal(0, again);
        foreach (var stage in stages.Where(s => s != "datasets"))
            Assert.Single(resumed.Split('\n'), l => l.StartsWith(stage + " ") && l.EndsWith("done earlier, skipped"));
    }

    [Theory]
    [InlineData("simulated", "preferences")]
    [InlineData("local", "preferences")]
    [InlineData("simulated", "cross-prediction")]
    [InlineData("local", "cross-prediction")]
    [InlineData("simulated", "behavior")]
    public void Killing_run_and_rerunning_the_same_command_ends_with_identical_files(string backend, string experiment)
    {
        var root = Temp();
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        // The tiny organism chooses near chance after instillation: the checks would stop it (exit 5).
        string[] extra = backend == "local" ? ["--base-model", TinyOrganism.Directory.Value, "--keep-going"] : [];
        string[] Args(string dir) => ["run", "--experiment", experiment, "--backend", backend, "--preset", "quick", "--out", dir, .. extra];
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Run(Args(whole)).Code);
        int wholeMs = (int)clock.ElapsedMilliseconds;

        // Kill at random moments spread over the run (after process start), three times, then finish.
        var rng = new System.Random(20261122);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var p = Start(Args(killed));
            Thread.Sleep(300 + rng.Next(Math.Max(wholeMs - 300, 100)));
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.Equal(0, Run(Args(killed)).Code);

        var files = Directory.GetFiles(whole, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(whole, f))
            .Where(f => f != "run.json").Order().ToList();
        Assert.Equal(files, Directory.GetFiles(killed, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(killed, f))
            .Where(f => f != "run.json").Order());
        Assert.Contains(Path.Combine("analysis", "summary.json"), files);
        if (experiment == "cross-prediction") Assert.Contains((backend == "local" ? Path.GetFileName(TinyOrganism.Directory.Value) : "simulated-base") + "_cross_weight_reports.csv", files);
        foreach (var f in files)
        {
            if (f is "report.html" or "report.md") continue; // they show run.json's stage timings
            if (Path.GetFileName(f) == "summary.json" && experiment != "behavior") // behavior's summary holds no timing
                Assert.Equal(WithoutTiming(Path.Combine(whole, f)), WithoutTiming(Path.Combine(killed, f)));
            else
                Assert.True(File.ReadAllBytes(Path.Combine(whole, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(killed, f))), f);
        }
    }

    [Fact]
    public void Experiments_lists_each_experiment_on_one_line_and_run_refuses_unknown_ones()
    {
        var (code, stdout, _) = Run("experiments");
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^preferences +the paper's protocol.*\(default\)$", stdout);
        Assert.Matches(@"(?m)^cross-prediction +self- vs cross-prediction", stdout);
        Assert.Contains("--cross-base-model", stdout);

        var (c1, _, e1) = Run("run", "--experiment", "telepathy", "--backend", "simulated", "--out", Path.Combine(Temp(), "r"));
        Assert.Equal(2, c1);
        Assert.Contains("unknown experiment 'telepathy' (known: preferences, cross-prediction, behavior, backdoor)", e1);
        var dir = Path.Combine(Temp(), "r");
        var (c2, _, e2) = Run("run", "--cross-base-model", "other", "--backend", "simulated", "--out", dir);
        Assert.Equal(2, c2);
        Assert.Contains("--cross-base-model belongs to the 'cross-prediction' experiment", e2);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Cross_prediction_run_has_its_rows_in_summary_table_and_report()
    {
        var dir = Path.Combine(Temp(), "cross");
        var (code, stdout, err) = Run("run", "--experiment", "cross-prediction", "--backend", "simulated", "--out", dir,
            "--cross-base-model", "simulated-base");
        Assert.True(code == 0, err);
        Assert.Contains("self − cross:", stdout);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
        var cross = summary.RootElement.GetProperty("cross_prediction");
        var self = cross.GetProperty("self");
        // The self measure is the paper's "instilled" condition, the same numbers.
        Assert.Equal(summary.RootElement.GetProperty("models")[0].GetProperty("reports").GetProperty("instilled").GetProperty("slope").GetDouble(),
            self.GetProperty("slope").GetDouble());
        var d = cross.GetProperty("self_minus_cross");
        Assert.Equal(self.GetProperty("slope").GetDouble() - cross.GetProperty("cross").GetProperty("slope").GetDouble(), d.GetProperty("difference").GetDouble(), 12);
        Assert.Equal(20, d.GetProperty("scenarios").GetInt32());
        var ci = d.GetProperty("ci95");
        Assert.True(ci[0].GetDouble() < ci[1].GetDouble());
        Assert.Contains("Self- versus cross-prediction", File.ReadAllText(Path.Combine(dir, "report.html")));
        Assert.Contains("| self − cross |", File.ReadAllText(Path.Combine(dir, "report.md")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        Assert.Equal("cross-prediction", manifest.RootElement.GetProperty("config").GetProperty("experiment").GetString());
        Assert.Equal("simulated-base", manifest.RootElement.GetProperty("models").GetProperty("cross").GetProperty("from").GetString() is "cross_base"
            ? manifest.RootElement.GetProperty("models").GetProperty("cross_base").GetProperty("id").GetString() : null);

        // `analyze` on the run directory gives the same rows (the run's experiment is read from run.json).
        var (ac, aout, _) = Run("analyze", dir, "--json");
        Assert.Equal(0, ac);
        using var again = JsonDocument.Parse(aout);
        Assert.Equal(d.GetProperty("ci95")[0].GetDouble(), again.RootElement.GetProperty("cross_prediction").GetProperty("self_minus_cross").GetProperty("ci95")[0].GetDouble());
    }

    /// <summary>The summary with its one timing field removed.</summary>
    internal static string WithoutTiming(string path)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(node.Remove("elapsed_s"));
        return node.ToJsonString();
    }
}

/// <summary>A tiny organism (plumbing, not quality), pretrained once per test run, for the local backend.</summary>
public static class TinyOrganism
{
    public static readonly Lazy<string> Directory = new(() =>
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("organism").FullName;
        SelfInterp.Organisms.Pretraining.Run(SelfInterp.Organisms.OrganismRecipe.Tiny,
            SelfInterp.Preferences.Catalog.ScenarioCatalog.Embedded(), dir, threads: 1, null, default);
        return dir;
    });
}
