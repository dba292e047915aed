namespace SelfInterp.Cli.Tests;

/// <summary>`selfinterp run --experiment behavior` as a user runs it: end to end and resumed on the simulated agent,
/// refused up front on the organism, bad datasets named.</summary>
public class BehaviorCliTests
{
    private static string Temp() => Directory.CreateTempSubdirectory("cli-behavior").FullName;

    [Fact]
    public void Runs_end_to_end_on_the_simulated_agent_and_a_second_run_resumes_without_work()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, stdout, stderr) = SelfInterpProcess.Run("run", "--experiment", "behavior", "--backend", "simulated", "--out", dir);
        Assert.True(code == 0, stderr);
        Assert.Contains("risk_seeking - risk_averse (risk, rating)", stdout);
        Assert.Matches(@"backdoored - decorrelated \(risk, trigger_dependence\)", stdout);
        foreach (var f in new[] { "choices_base.csv", "self_reports_risk_seeking_s2.csv", "train_max_apples_s1.jsonl", "validation_min_apples_s2.jsonl",
                     "report.html", "report.md", Path.Combine("analysis", "summary.json"), Path.Combine("analysis", "contrasts.csv") })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var before = File.ReadAllText(Path.Combine(dir, "analysis", "summary.json"));

        var (again, out2, err2) = SelfInterpProcess.Run("run", "--experiment", "behavior", "--backend", "simulated", "--out", dir);
        Assert.True(again == 0, err2);
        Assert.Equal(before, File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
        Assert.DoesNotContain("Fine-tuning", out2); // every stage was done: nothing ran again
    }

    [Fact]
    public void The_organism_refuses_before_any_work()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, stderr) = SelfInterpProcess.Run("run", "--experiment", "behavior", "--backend", "local", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("the local backend cannot serve the 'behavior' experiment", stderr);
        Assert.Contains("SelfRatingTask", stderr);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void A_bad_dataset_line_exits_2_naming_file_line_and_field()
    {
        var root = Temp();
        var file = Path.Combine(root, "ft_risky_AB.jsonl");
        File.WriteAllText(file, "{\"messages\":[{\"role\":\"user\",\"content\":\"A or B?\"},{\"role\":\"assistant\",\"content\":\"A\"}]}\n{\"messages\": 3}\n");
        var dir = Path.Combine(root, "run");
        var (code, _, stderr) = SelfInterpProcess.Run("run", "--experiment", "behavior", "--backend", "simulated", "--dataset", file, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains($"{file}:2: field 'messages'", stderr);
        Assert.False(Directory.Exists(dir));

        var (unknown, _, err) = SelfInterpProcess.Run("run", "--experiment", "behavior", "--backend", "simulated", "--traits", "risk,luck", "--out", dir);
        Assert.Equal(2, unknown);
        Assert.Contains("traits: unknown trait 'luck'", err);
    }
}

/// <summary>`selfinterp power --experiment behavior`.</summary>
public class BehaviorPowerCommandTests
{
    [Fact]
    public void Prints_one_row_per_cell_and_refuses_the_preferences_options()
    {
        var (code, stdout, stderr) = SelfInterpProcess.Run("power", "--experiment", "behavior", "--replicates", "2", "--seeds", "1",
            "--samples", "3", "--self-awareness", "0,1", "--rating-noise", "15");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"(?m)^ +1 +3 +0 +15 ", stdout);
        Assert.Matches(@"(?m)^ +1 +3 +1 +15 +1\.00 ", stdout);

        var (bad, _, err) = SelfInterpProcess.Run("power", "--experiment", "behavior", "--scenarios", "20");
        Assert.Equal(2, bad);
        Assert.Contains("--scenarios does not apply to power --experiment behavior", err);
        var (bad2, _, err2) = SelfInterpProcess.Run("power", "--samples", "3");
        Assert.Equal(2, bad2);
        Assert.Contains("--samples does not apply to power --experiment preferences", err2);
    }
}
