namespace SelfInterp.Cli.Tests;

/// <summary>
/// Issue 24: each command fed malformed options, values, rows and files, as a hostile user would. Every case ends
/// in exit 2 with a sentence naming what is wrong, or in a warning that counts what was left out, never in a
/// changed number with exit 0. Each test is named after its case; on b80915d each failed.
/// </summary>
public class HostileInputTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => SelfInterpProcess.Run(args);

    private static string Temp() => Directory.CreateTempSubdirectory("hostile").FullName;

    [Theory]
    [InlineData("behavior", "simulated", "self_awarenes=0", "self_awareness")]
    [InlineData("preferences", "simulated", "report_nosie=0", "report_noise")]
    [InlineData("preferences", "local", "instil_lr=0.1", "instill_lr")]
    [InlineData("preferences", "openai", "concurency=2", "concurrency")]
    public void Misspelt_option_key_exits_2_naming_the_close_match_and_the_known_keys(string experiment, string backend, string option, string near)
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--experiment", experiment, "--backend", backend, "--option", option, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains($"unknown key '{option.Split('=')[0]}'", err);
        Assert.Contains($"did you mean '{near}'?", err);
        Assert.Contains("known: ", err);
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    [Theory]
    [InlineData("bad_report_rate=2", "bad_report_rate")]
    [InlineData("self_awareness=1.5", "self_awareness")]
    [InlineData("report_noise=nan", "report_noise")]
    [InlineData("choice_noise=-1", "choice_noise")]
    public void Option_value_out_of_range_exits_2_before_any_work(string option, string key)
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--backend", "simulated", "--option", option, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains(key, err);
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    [Fact]
    public void Option_given_twice_exits_2_naming_both_values()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--backend", "simulated", "--option", "report_noise=0", "--option", "report_noise=5", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--option report_noise is given twice ('0' and '5')", err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Traits_given_twice_exit_2_with_a_sentence()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--traits", "risk,risk", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("traits: 'risk' is given 2 times", err);
        Assert.DoesNotContain("ArgumentException", err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Altered_reply_cache_line_is_never_used_and_is_named_then_deleting_it_asks_again()
    {
        var dir = Path.Combine(Temp(), "run");
        string[] args = ["run", "--backend", "simulated", "--out", dir];
        var (code, _, err) = Run(args);
        Assert.True(code == 0, err);
        var summary = Path.Combine(dir, "analysis", "summary.json");
        var before = File.ReadAllText(summary);
        var cache = Path.Combine(dir, "replies", "reports_instilled.jsonl");
        var lines = File.ReadAllLines(cache);
        var edited = System.Text.Json.Nodes.JsonNode.Parse(lines[2])!.AsObject();
        Assert.NotNull(edited["sum"]);
        edited["reply"] = edited["reply"]!.GetValue<string>().Replace(":", ": 1");
        lines[2] = edited.ToJsonString();
        File.WriteAllLines(cache, lines);

        var (again, _, err2) = Run(args);
        Assert.Equal(2, again);
        Assert.Contains($"{cache}:3: the reply was altered", err2);
        Assert.Equal(before, File.ReadAllText(summary)); // nothing analysed from the edited reply

        File.WriteAllLines(cache, lines.Where((_, i) => i != 2));
        var (third, _, err3) = Run(args);
        Assert.True(third == 0, err3);
        Assert.Equal(lines.Length, File.ReadAllLines(cache).Length); // the deleted reply was asked again
    }

    [Theory]
    [InlineData("instilled=a b", "holds a space at position 2")]
    [InlineData("instilled=a\tb", "'a\\u0009b' holds a control character at position 2")]
    [InlineData("instilled=a\u0001b", "holds a control character at position 2")]
    public void Models_set_refuses_an_id_with_whitespace_or_control_characters(string pair, string message)
    {
        var dir = ExternalRun();
        var (code, _, err) = Run("models", "set", dir, pair);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Null(Core.Runs.RunManifest.Load(Path.Combine(dir, "run.json")).Models.GetValueOrDefault("instilled")?.Id);
    }

    [Fact]
    public void Models_set_replace_sets_aside_what_the_old_model_made_and_records_it_in_run_json()
    {
        var dir = ExternalRun();
        Assert.Equal(0, Run("models", "set", dir, "instilled=org/typo").Code);
        // As if the run had gone on with the mistaken model: its selections asked, cached and recorded done.
        var manifestPath = Path.Combine(dir, "run.json");
        var manifest = Core.Runs.RunManifest.Load(manifestPath);
        manifest.Stages["selections_instilled"] = new Core.Runs.StageRecord { Status = "done" };
        manifest.Save(manifestPath);
        var cache = Path.Combine(dir, "replies", "selections_instilled.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        File.WriteAllText(cache, "{\"i\":0,\"reply\":\"A\"}\n");

        var (refused, _, err) = Run("models", "set", dir, "instilled=org/right");
        Assert.Equal(2, refused);
        Assert.Contains("already holds 'org/typo'", err);
        Assert.Contains("--replace", err);

        var (code, _, err2) = Run("models", "set", "--replace", dir, "instilled=org/right");
        Assert.True(code == 0, err2);
        var after = Core.Runs.RunManifest.Load(manifestPath);
        Assert.Equal("org/right", after.Models["instilled"].Id);
        Assert.Equal(["org/typo"], after.Models["instilled"].Replaced!);
        Assert.False(after.Stages.ContainsKey("selections_instilled"), "the stage that asked the old model runs again");
        Assert.False(File.Exists(cache), "the old model's replies are never read again");
        Assert.Equal("{\"i\":0,\"reply\":\"A\"}\n", File.ReadAllText(cache + ".replaced-1"));
    }

    /// <summary>A run that stopped before its first fine-tune, to be trained elsewhere (no stage has asked a model).</summary>
    private static string ExternalRun()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--backend", "openai", "--fine-tune", "external", "--base-url", "http://127.0.0.1:9/v1", "--out", dir);
        Assert.True(code == 4, err);
        return dir;
    }
}
