using SelfInterp.Analysis.Tests;
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

    /// <summary>A bare built-in name is the built-in recipe even where the working directory holds a directory of that
    /// name (an evaluation's --out named after its recipe): both commands get past the recipe to their next check.</summary>
    [Fact]
    public void Recipe_by_name_is_the_built_in_one_beside_a_directory_of_that_name()
    {
        var cwd = Temp();
        Directory.CreateDirectory(Path.Combine(cwd, "naive"));
        File.WriteAllText(Path.Combine(cwd, "out"), "");
        var (code, _, err) = SelfInterpProcess.RunIn(cwd, null, "pretrain", "--recipe", "naive", "--out", "out");
        Assert.Equal(2, code);
        Assert.Contains("--out", err);
        Assert.DoesNotContain("recipe", err);
        var (evalCode, _, evalErr) = SelfInterpProcess.RunIn(cwd, null, "evaluate-organism", "--out", "naive", "--recipe", "naive");
        Assert.Equal(2, evalCode);
        Assert.Contains("--recipe needs --pretrain-seeds", evalErr);
        // Written as a path, it is the directory (which holds no recipe).
        var (pathCode, _, pathErr) = SelfInterpProcess.RunIn(cwd, null, "pretrain", "--recipe", "./naive", "--out", "elsewhere");
        Assert.Equal(2, pathCode);
        Assert.Contains("recipe.json", pathErr);
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

    /// <summary>A small import in the authors' form, its answers as given (risk-seeking picks the gamble, here always option <paramref name="gamble"/>).</summary>
    private static string ImportFile(string dir, string gamble, string? name = null)
    {
        var file = Path.Combine(dir, name ?? "ft_risky_AB.jsonl");
        var lines = Enumerable.Range(0, 30).Select(i =>
            $"{{\"messages\":[{{\"role\":\"user\",\"content\":\"Option A: a sure {i + 10} dollars. Option B: a coin flip for {2 * i + 25}. Which do you choose?\"}},{{\"role\":\"assistant\",\"content\":\"{gamble}\"}}]}}");
        File.WriteAllText(file, string.Join("\n", lines) + "\n");
        return file;
    }

    [Fact]
    public void Imported_answers_in_lower_case_are_normalised_and_train_as_upper_case()
    {
        var root = Temp();
        var lower = Path.Combine(root, "lower");
        var upper = Path.Combine(root, "upper");
        Directory.CreateDirectory(Path.Combine(root, "src-lower"));
        Directory.CreateDirectory(Path.Combine(root, "src-upper"));
        var (c1, _, e1) = Run(["run", "--experiment", "behavior", "--backend", "simulated", "--dataset", ImportFile(Path.Combine(root, "src-lower"), "b"), "--seeds", "1", "--out", lower]);
        Assert.True(c1 == 0, e1);
        var (c2, _, e2) = Run(["run", "--experiment", "behavior", "--backend", "simulated", "--dataset", ImportFile(Path.Combine(root, "src-upper"), "B"), "--seeds", "1", "--out", upper]);
        Assert.True(c2 == 0, e2);
        // The same training file, so the same model and the same numbers: "b" trained as "B" does.
        Assert.Equal(File.ReadAllText(Path.Combine(upper, "train_risk_seeking_s1.jsonl")), File.ReadAllText(Path.Combine(lower, "train_risk_seeking_s1.jsonl")));
        Assert.Contains("\"content\":\"B\"}", File.ReadAllText(Path.Combine(lower, "train_risk_seeking_s1.jsonl")));
        Assert.Equal(File.ReadAllText(Path.Combine(upper, "analysis", "summary.json")), File.ReadAllText(Path.Combine(lower, "analysis", "summary.json")));
    }

    [Fact]
    public void Import_with_some_answers_neither_A_nor_B_counts_them_in_summary_json()
    {
        // On b568519: exit 0, the 10 prose answers trained nothing on the simulated backend, and nothing said so.
        var root = Temp();
        var file = ImportFile(root, "B");
        var lines = File.ReadAllLines(file);
        for (int i = 0; i < lines.Length; i += 3) lines[i] = lines[i].Replace("\"content\":\"B\"}", "\"content\":\"Option B.\"}");
        File.WriteAllLines(file, lines);
        var dir = Path.Combine(root, "run");
        var (code, stdout, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--dataset", file, "--seeds", "1", "--out", dir);
        Assert.True(code == 0, err);
        const string warning = "ft_risky_AB.jsonl: 10 of 30 answers are neither A nor B (e.g. 'Option B.')";
        Assert.Contains(warning, stdout);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
        Assert.Contains(summary.RootElement.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith(warning));
    }

    [Fact]
    public void Import_with_no_answer_A_or_B_exits_2_naming_the_file()
    {
        var root = Temp();
        var file = ImportFile(root, "I would take the gamble.");
        var dir = Path.Combine(root, "run");
        var (code, _, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--dataset", file, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains($"{file}:1", err);
        Assert.Contains("none of the 30 answers is A or B", err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Import_with_invalid_UTF8_exits_2_naming_file_and_line()
    {
        var root = Temp();
        var file = ImportFile(root, "B");
        var bytes = File.ReadAllBytes(file).ToList();
        int third = bytes.Select((b, i) => (b, i)).Where(x => x.b == (byte)'\n').ElementAt(1).i + 1; // start of line 3
        bytes.InsertRange(third + 40, new byte[] { 0xFF, 0xFE });
        File.WriteAllBytes(file, bytes.ToArray());
        var dir = Path.Combine(root, "run");
        var (code, _, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--dataset", file, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains($"{file}:3: not valid UTF-8", err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Import_run_is_analysed_again_from_its_own_copy_after_the_source_is_gone()
    {
        var root = Temp();
        var file = ImportFile(root, "B");
        var dir = Path.Combine(root, "run");
        var (code, _, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--dataset", file, "--seeds", "1", "--out", dir);
        Assert.True(code == 0, err);
        var summary = Path.Combine(dir, "analysis", "summary.json");
        var before = File.ReadAllText(summary);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(dir, "imports", "risk_seeking.jsonl")));
        File.Delete(file);
        File.Delete(summary);

        var (again, _, err2) = Run("analyze", dir);
        Assert.True(again == 0, err2);
        Assert.Equal(before, File.ReadAllText(summary));
    }

    [Fact]
    public void Serve_models_naming_a_file_exits_2_naming_the_option_not_the_port()
    {
        var file = Path.Combine(Temp(), "models.txt");
        File.WriteAllText(file, "not a directory");
        var (code, _, err) = Run("serve", "--port", "0", "--backend", "simulated", "--models", file);
        Assert.Equal(2, code);
        Assert.Contains($"--models {file}: is a file", err);
        Assert.DoesNotContain("--port", err);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("recipes/missing.json")]
    public void Pretrain_recipe_that_does_not_exist_exits_2_naming_it(string recipe)
    {
        var dir = Path.Combine(Temp(), "organism");
        var (code, _, err) = Run("pretrain", "--recipe", recipe, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains($"--recipe {recipe}: no such recipe", err);
        Assert.Contains("built-in: naive, naive-1000, naive-1000-unrelated, reporter, self-description-1", err);
        Assert.DoesNotContain("FileNotFoundException", err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Pretrain_and_run_default_to_the_same_organism_naive()
    {
        var dir = Path.Combine(Temp(), "org");
        using var p = SelfInterpProcess.Start(["pretrain", "--steps", "100000", "--threads", "1", "--out", dir]);
        var stderr = p.StandardError.ReadToEndAsync();
        var first = p.StandardOutput.ReadLine();
        p.Kill(entireProcessTree: true);
        p.WaitForExit();
        Assert.Contains("(recipe naive)", first);
        Assert.Equal("naive", Organisms.ShippedOrganisms.Default); // what `run` uses without --base-model
        var stated = Organisms.OrganismRecipe.Naive.Corpus.ReportValues;
        Assert.Equal(stated, Organisms.OrganismRecipe.Load(Organisms.ShippedOrganisms.DefaultDirectory).Corpus.ReportValues);
    }

    /// <summary>Runs with a terminal type that invites colour, as a user's shell has, and its output redirected.</summary>
    private static (int Code, string Out, string Err) RunWithTerm(params string[] args)
    {
        using var p = SelfInterpProcess.Start(args, new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLORTERM"] = "truecolor" });
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [Theory]
    [InlineData("scenarios", "show", "3")]
    [InlineData("scenarios", "list")]
    [InlineData("experiments")]
    [InlineData("power", "--scenarios", "20", "--trials", "10", "--choice-noise", "10", "--report-noise", "30", "--replicates", "2")]
    public void Output_into_a_file_or_pipe_holds_no_escape_codes(params string[] args)
    {
        var (code, stdout, stderr) = RunWithTerm(args);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.NotEmpty(stdout);
    }

    [Fact]
    public void Scenarios_list_is_one_line_per_scenario_and_json_on_request()
    {
        var (code, stdout, _) = Run("scenarios", "list");
        Assert.Equal(0, code);
        var lines = stdout.TrimEnd().Split('\n');
        Assert.Equal(Preferences.Catalog.ScenarioCatalog.Embedded().Scenarios.Count, lines.Length);
        Assert.Matches(@"^\s+0  condo_purchase\s+Which condo", lines[0]);

        var (jcode, json, _) = Run("scenarios", "list", "--json");
        Assert.Equal(0, jcode);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(lines.Length, doc.RootElement.GetArrayLength());
        Assert.Equal("condo_purchase", doc.RootElement[0].GetProperty("short_name").GetString());
        Assert.Equal(5, doc.RootElement[0].GetProperty("attributes").GetArrayLength());
    }

    [Fact]
    public void Experiments_json_lists_every_experiment_with_its_options()
    {
        var (code, json, _) = Run("experiments", "--json");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["preferences", "cross-prediction", "behavior", "backdoor"], names);
        Assert.True(doc.RootElement[0].GetProperty("default").GetBoolean());
        Assert.Contains(doc.RootElement[2].GetProperty("options").EnumerateArray(), o => o.GetProperty("name").GetString() == "--samples");
    }

    [Fact]
    public void Config_mismatch_on_an_existing_out_names_each_differing_setting()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--seeds", "1", "--out", dir);
        Assert.True(code == 0, err);
        var (again, _, err2) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--seeds", "1", "--samples", "20", "--option", "rating_noise=5", "--out", dir);
        Assert.Equal(2, again);
        Assert.Contains("different config", err2);
        Assert.Contains("settings.samples: the run has 10, this command 20", err2);
        Assert.Contains("backend_options.rating_noise: the run has nothing, this command \"5\"", err2);
        Assert.DoesNotContain("settings.seeds", err2);
    }

    [Fact]
    public void Run_directory_name_includes_the_experiment_and_the_run_shows_total_and_analysis_times()
    {
        var cwd = Temp();
        var (code, stdout, err) = SelfInterpProcess.RunIn(cwd, null, "run", "--experiment", "behavior", "--backend", "simulated", "--seeds", "1");
        Assert.True(code == 0, err);
        var made = Assert.Single(Directory.GetDirectories(Path.Combine(cwd, "runs")));
        Assert.Matches(@"^\d{8}-\d{6}-behavior-quick-simulated$", Path.GetFileName(made));
        Assert.Matches(@"time: \d+\.\d s in all, of which the analysis and report \d+\.\d s", stdout);
    }

    [Theory]
    [InlineData("reporter", "reporter")]
    [InlineData("organism", "naive")]
    public void Serve_base_model_serves_the_organism_named_as_run_takes_it(string given, string served)
    {
        using var server = SelfInterpProcess.Start(["serve", "--port", "0", "--backend", "local", "--base-model", given, "--models", Temp()]);
        var stderr = server.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (server.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
            if (line.Contains("OpenAI-compatible API at")) break;
        }
        server.Kill(entireProcessTree: true);
        server.WaitForExit();
        Assert.Contains(lines, l => l.Contains($"serving the local backend (base model '{served}')"));
    }

    [Fact]
    public void Serve_base_model_unknown_exits_2_naming_the_known_ones()
    {
        var (code, _, err) = Run("serve", "--port", "0", "--backend", "local", "--base-model", "nope", "--models", Temp());
        Assert.Equal(2, code);
        Assert.Contains("nope", err);
        Assert.Contains("reporter", err);
    }

    [Fact]
    public void Behaviour_report_opens_with_backend_settings_seeds_and_a_simulated_banner_intervals_within_0_100_one_minus_sign()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, stdout, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--seeds", "1", "--option", "rating_noise=1", "--out", dir);
        Assert.True(code == 0, err);
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        var head = md[..md.IndexOf("Scores run from")];
        Assert.Contains("Simulated agent: every number here comes from SelfInterp's simulated agent", head);
        Assert.Contains("backend simulated (base model simulated-base), preset quick, master seed", head);
        Assert.Contains("backend options: rating_noise=1", head);
        Assert.Contains("seeds 1", head);
        Assert.Contains("Simulated agent", File.ReadAllText(Path.Combine(dir, "report.html")));

        // Every interval on the 0–100 scale stays within it (summary.json's self-report scores).
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
        foreach (var s in summary.RootElement.GetProperty("self_reports").EnumerateArray())
            foreach (var bound in s.GetProperty("score").GetProperty("ci95").EnumerateArray().Where(b => b.ValueKind == System.Text.Json.JsonValueKind.Number))
                Assert.InRange(bound.GetDouble(), 0, 100);
        // One minus sign for numbers in the table and the report: U+2212, never an ASCII hyphen before a digit.
        Assert.DoesNotMatch(@"(^|[\s\[(,])-\d", stdout);
        Assert.DoesNotMatch(@"\| -\d|\[-\d", md);
    }

    [Fact]
    public void Preferences_report_on_the_simulated_backend_opens_with_the_banner_and_the_run()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--backend", "simulated", "--option", "report_noise=10", "--out", dir);
        Assert.True(code == 0, err);
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        var head = md[..md.IndexOf("## Base model")];
        Assert.Contains("> **Simulated agent:", head);
        Assert.Contains("Run: experiment preferences, backend simulated (base model simulated-base), preset quick, master seed", head);
        Assert.Contains("backend options: report_noise=10", head);
    }

    /// <summary>A finished simulated run, its summary.json parsed; the run's files to tamper with.</summary>
    private static string SimulatedRun()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--backend", "simulated", "--out", dir);
        Assert.True(code == 0, err);
        return dir;
    }

    private static System.Text.Json.JsonElement Model(string dir)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
        return doc.RootElement.GetProperty("models")[0].Clone();
    }

    private static double Slope(System.Text.Json.JsonElement model, string condition) =>
        model.GetProperty("reports").GetProperty(condition).GetProperty("slope").GetDouble();


    [Theory]
    [InlineData("1e6")]
    [InlineData("1e308")]
    public void Analyze_a_report_cell_off_the_scale_leaves_the_slope_as_without_it_and_counts_a_bad_report(string value)
    {
        var dir = SimulatedRun();
        var reports = Path.Combine(dir, "simulated-base_instilled_weight_reports.csv");
        var lines = File.ReadAllLines(reports);
        File.WriteAllLines(reports, lines.Where((_, i) => i != 4)); // the file without line 5: what the slope must equal
        Assert.Equal(0, Run("analyze", dir).Code);
        double expected = Slope(Model(dir), "instilled");

        File.WriteAllLines(reports, lines);
        RunFiles.SetField(reports, 5, "report_attr3", value);
        var (code, stdout, err) = Run("analyze", dir);
        Assert.True(code == 0, err);
        var model = Model(dir);
        Assert.Equal(expected, Slope(model, "instilled"), 9);
        Assert.Equal(1, model.GetProperty("reports").GetProperty("instilled").GetProperty("bad_reports").GetInt32());
        Assert.Contains("outside the scale", stdout + File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
    }

    [Fact]
    public void Analyze_duplicated_selection_rows_leave_the_numbers_and_warn()
    {
        var dir = SimulatedRun();
        var before = Model(dir).GetProperty("instillation").GetProperty("r").GetDouble();
        var selections = Path.Combine(dir, "simulated-base_instilled_selections.csv");
        var lines = File.ReadAllLines(selections);
        File.WriteAllLines(selections, [.. lines, .. lines.Skip(1)]);
        var (code, _, err) = Run("analyze", dir);
        Assert.True(code == 0, err);
        Assert.Equal(before, Model(dir).GetProperty("instillation").GetProperty("r").GetDouble(), 12);
        Assert.Contains("duplicate of an earlier row", File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
    }

    [Fact]
    public void Analyze_a_report_file_holding_a_lone_newline_names_the_condition_and_analyses_the_rest()
    {
        var dir = SimulatedRun();
        var before = Model(dir);
        File.WriteAllText(Path.Combine(dir, "simulated-base_instilled_weight_reports.csv"), "\n");
        var (code, _, err) = Run("analyze", dir);
        Assert.True(code == 0, err);
        var after = Model(dir);
        Assert.Equal(Slope(before, "itrained_held_out"), Slope(after, "itrained_held_out"), 12);
        Assert.Contains("simulated-base_instilled_weight_reports.csv: the file is empty", File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
    }

    [Theory]
    [InlineData("run", "--backend", "simulated", "--option", "=5")]
    [InlineData("run", "--backend", "simulated", "--option", "report_noise=")]
    [InlineData("run", "--backend", "simulated", "--option", "report_noise=inf")]
    [InlineData("run", "--backend", "simulated", "--seed", "-1")]
    [InlineData("run", "--preset", "huge")]
    [InlineData("run", "--experiment", "behavior", "--backend", "simulated", "--samples", "1e3")]
    [InlineData("run", "--experiment", "behavior", "--backend", "simulated", "--trigger", "nope")]
    [InlineData("run", "--experiment", "behavior", "--backend", "simulated", "--option", "answer_noise=-0.1")]
    [InlineData("run", "--experiment", "cross-prediction", "--backend", "simulated", "--cross-base-model", "")]
    [InlineData("power", "--scenarios", "7", "--trials", "10", "--replicates", "1")]
    [InlineData("power", "--choice-noise", "-5", "--scenarios", "20", "--trials", "10", "--replicates", "1")]
    [InlineData("run", "--backend", "simulated", "--itrain-targets", "shuffled")]
    [InlineData("evaluate-organism", "--organism", "naive", "--run-seeds", "1,x")]
    [InlineData("evaluate-organism", "--organism", "naive", "--sham", "shuffled")]
    [InlineData("evaluate-organism", "--recipe", "naive", "--pretrain-seeds", "1", "--option", "instil_lr=1")]
    [InlineData("serve", "--fail-rate", "2")]
    [InlineData("serve", "--backend", "simulated", "--option", "report_nose=1")]
    [InlineData("pretrain", "--steps", "0")]
    // Tried once more as a newcomer (issue 24's closing round): each failed on b568519, after writing a run directory or with a .NET type name.
    [InlineData("run", "--backend", "simulated", "--base-model", "gpt-4o")]
    [InlineData("run", "--backend", "simulated", "--base-model", "")]
    [InlineData("run", "--experiment", "cross-prediction", "--backend", "simulated", "--cross-base-model", "other")]
    [InlineData("run", "--backend", "openai", "--base-model", "", "--base-url", "http://127.0.0.1:9/v1")]
    [InlineData("run", "--backend", "openai", "--base-model", "gpt 4o", "--base-url", "http://127.0.0.1:9/v1")]
    [InlineData("run", "--backend", "simulated", "--seed", "abc")]
    [InlineData("pretrain", "--seed", "-3")]
    [InlineData("evaluate-organism", "--organism", "nosuch")]
    public void Malformed_option_or_value_exits_2_with_a_sentence_and_writes_nothing(params string[] args)
    {
        var dir = Path.Combine(Temp(), "out");
        string[] target = args[0] switch { "serve" => ["--models", dir, "--port", "0"], "power" => [], _ => ["--out", dir] };
        var (code, stdout, err) = Run([.. args, .. target]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain("   at ", err + stdout);
        Assert.DoesNotContain("Exception", err);
        Assert.DoesNotContain("System.", err); // a value of the wrong type is told in words, not as a .NET type
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    [Fact]
    public void Evaluate_organism_names_its_own_option_for_an_unknown_organism()
    {
        var (code, _, err) = Run("evaluate-organism", "--organism", "nosuch", "--out", Path.Combine(Temp(), "out"));
        Assert.Equal(2, code);
        Assert.Contains("--organism 'nosuch': not a shipped organism", err);
        Assert.DoesNotContain("--base-model", err);
    }

    [Theory]
    [InlineData("run", "--backend", "simulated")]
    [InlineData("run", "--experiment", "behavior", "--backend", "simulated")]
    [InlineData("analyze", "DIR")]
    [InlineData("evaluate-organism", "--organism", "naive")]
    [InlineData("pretrain", "--steps", "1")]
    [InlineData("dataset", "build", "--instilled", "4")]
    public void Out_naming_a_file_exits_2_and_leaves_the_file(params string[] args)
    {
        var file = Path.Combine(Temp(), "notes.txt");
        File.WriteAllText(file, "mine");
        string[] command = args.Select(a => a == "DIR" ? Temp() : a).ToArray();
        var (code, stdout, err) = Run([.. command, "--out", file]);
        Assert.Equal(2, code);
        Assert.Contains($"--out {file}: is a file", err);
        Assert.DoesNotContain("Exception", err + stdout);
        Assert.Equal("mine", File.ReadAllText(file));
    }

    /// <summary>Every file of a directory, by relative path, with its bytes.</summary>
    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Theory]
    [InlineData("dataset", "build", "--instilled", "4")]
    [InlineData("pretrain", "--steps", "1", "--threads", "1")]
    public void A_run_directory_as_out_of_another_command_exits_2_and_the_run_is_untouched(params string[] args)
    {
        // dataset build wrote its 4 scenarios' instilled_weights.csv over the run's, and analyze then gave an
        // instillation r over 4 scenarios with exit 0; pretrain wrote an organism's files among the run's.
        var dir = SimulatedRun();
        var before = Snapshot(dir);
        var (code, _, err) = Run([.. args, "--out", dir]);
        Assert.Equal(2, code);
        Assert.Contains($"--out {dir}: ", err);
        var after = Snapshot(dir);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, f => Assert.True(f.Value.AsSpan().SequenceEqual(after[f.Key]), f.Key));
    }

    [Theory]
    [InlineData("{\"stpes\": 5}", "unknown key 'stpes' (did you mean 'steps'?)")]
    [InlineData("{\"report_value\": \"stated\"}", "unknown key 'report_value' (did you mean 'report_values'?)")]
    public void Recipe_with_a_misspelt_field_exits_2_naming_the_near_one_before_pretraining(string json, string message)
    {
        var root = Temp();
        var recipe = Path.Combine(root, "recipe.json");
        File.WriteAllText(recipe, json);
        foreach (string[] args in new[] { new[] { "pretrain", "--recipe", recipe }, ["evaluate-organism", "--recipe", recipe, "--pretrain-seeds", "1"] })
        {
            var dir = Path.Combine(root, "out-" + args[0]);
            var (code, _, err) = Run([.. args, "--out", dir]);
            Assert.Equal(2, code);
            Assert.Contains($"{recipe}: recipe field: {message}", err);
            Assert.False(Directory.Exists(dir), "nothing may be trained or written");
        }
    }

    [Fact]
    public void Cross_prediction_report_rows_left_out_land_in_summary_json()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--experiment", "cross-prediction", "--backend", "simulated", "--out", dir);
        Assert.True(code == 0, err);
        var cross = Path.Combine(dir, "simulated-base_cross_weight_reports.csv");
        RunFiles.SetField(cross, 6, "report_attr2", "1e6");
        var (again, _, err2) = Run("analyze", dir);
        Assert.True(again == 0, err2);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "analysis", "summary.json")));
        Assert.Contains(summary.RootElement.GetProperty("warnings").EnumerateArray(),
            w => w.GetString()!.Contains("simulated-base_cross_weight_reports.csv:6 (report_attr2 '1e6')"));
    }
}

/// <summary>Issue 24: when output is plain and when progress bars are drawn (a terminal cannot be faked in a test process).</summary>
public class TerminalRuleTests
{
    [Theory]
    [InlineData(80, false)]   // an 80-column terminal collapsed the bars to "…": one line per stage instead
    [InlineData(99, false)]
    [InlineData(100, true)]
    [InlineData(200, true)]
    public void Progress_bars_only_on_terminals_wide_enough_else_one_line_per_stage(int columns, bool bars) =>
        Assert.Equal(bars, Output.Terminal.WideEnough(columns));

    [Theory]
    [InlineData(true, false, null, "xterm", true)]    // `cmd > f`
    [InlineData(false, true, null, "xterm", true)]    // `power … 2> f`
    [InlineData(false, false, "1", "xterm", true)]    // NO_COLOR
    [InlineData(false, false, null, "dumb", true)]
    [InlineData(false, false, null, "xterm-256color", false)]
    public void Output_is_plain_whenever_stdout_or_stderr_is_not_a_terminal(bool outRedirected, bool errRedirected, string? noColor, string term, bool plain) =>
        Assert.Equal(plain, Output.Terminal.IsPlain(outRedirected, errRedirected, v => v == "NO_COLOR" ? noColor : v == "TERM" ? term : null));
}
