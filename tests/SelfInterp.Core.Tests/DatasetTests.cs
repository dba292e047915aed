using System.Globalization;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Datasets;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Preferences.Generation;
using SelfInterp.Analysis.Layout;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Tests;

public class DatasetTests
{
    private static RunConfig Paper(ulong seed = 1) => PreferencesExperiment.Config("paper") with { Seeds = Seeds.FromMaster(seed) };

    private static string Build(RunConfig config)
    {
        var dir = Directory.CreateTempSubdirectory("dataset").FullName;
        DatasetBuilder.Build(PreferencesPlan.Create(config), dir);
        return dir;
    }

    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void Paper_sizes_give_5000_and_1000_lines_and_three_itraining_sets()
    {
        var dir = Build(Paper());
        Assert.Equal(5000, File.ReadAllLines(Path.Combine(dir, "instill_100_prefs.jsonl")).Length);
        Assert.Equal(1000, File.ReadAllLines(Path.Combine(dir, "instill_100_prefs_val.jsonl")).Length);
        Assert.Equal(50, ChatJsonl.Read(Path.Combine(dir, "itrain_first_50_of_100.jsonl")).Count);
        Assert.Equal(50, ChatJsonl.Read(Path.Combine(dir, "itrain_last_50_of_100.jsonl")).Count);
        Assert.Equal(100, ChatJsonl.Read(Path.Combine(dir, "itrain_all_100.jsonl")).Count);
        // The whole catalog in catalog order, keyed by short name, as the published file: row order is the index.
        var scenarios = CsvTable.Read(Path.Combine(dir, "scenarios.csv")).Rows;
        var catalog = ScenarioCatalog.Embedded().Scenarios;
        Assert.Equal(catalog.Select(s => s.ShortName), scenarios.Select(r => r["scenario"]));
        Assert.Equal(5000, CsvTable.Read(Path.Combine(dir, "target_choices.csv")).Rows.Count);
    }

    [Fact]
    public void Every_target_choice_agrees_with_utilities_recomputed_from_the_csv_files()
    {
        var dir = Build(Paper());
        var scenarios = CsvTable.Read(Path.Combine(dir, PaperLayout.ScenariosFile)).Rows.ToDictionary(r => r["scenario"]);
        var weights = CsvTable.Read(Path.Combine(dir, PaperLayout.InstilledWeightsFile)).Rows.ToDictionary(r => r["scenario"]);
        Assert.Equal(100, weights.Count);
        foreach (var w in weights.Values)
            Assert.Equal(100, Enumerable.Range(1, 5).Max(i => Math.Abs(w.Int($"attr{i}"))));

        int checkedRows = 0;
        foreach (var row in CsvTable.Read(Path.Combine(dir, PaperLayout.TargetChoicesFile)).Rows)
        {
            var s = scenarios[row["scenario"]];
            var w = weights[row["scenario"]];
            double ua = 0, ub = 0;
            for (int i = 1; i <= 5; i++)
            {
                double min = s.Double($"attr{i}_min"), max = s.Double($"attr{i}_max");
                string ta = row[$"A_attribute_{i}"], tb = row[$"B_attribute_{i}"];
                double a = double.Parse(ta, CultureInfo.InvariantCulture), b = double.Parse(tb, CultureInfo.InvariantCulture);
                Assert.InRange(a, min, max);
                Assert.InRange(b, min, max);
                int decimals = OptionValues.Decimals(max - min);
                Assert.Equal(decimals, ta.Contains('.') ? ta.Length - ta.IndexOf('.') - 1 : 0);
                ua += w.Int($"attr{i}") * (a - min) / (max - min);
                ub += w.Int($"attr{i}") * (b - min) / (max - min);
            }
            Assert.Equal(ua > ub ? "A" : "B", row["selection"]);
            checkedRows++;
        }
        Assert.Equal(5000, checkedRows);
    }

    [Fact]
    public void Jsonl_answers_match_target_choices_and_reports_match_weights()
    {
        var config = PreferencesExperiment.Config("quick");
        var plan = PreferencesPlan.Create(config);
        var dir = Build(config);
        var examples = ChatJsonl.Read(Path.Combine(dir, "instill_20_prefs.jsonl"));
        var reader = new PromptReader(plan.Catalog, plan.Prompts);
        foreach (var e in examples)
        {
            Assert.Equal(["system", "user"], e.Prompt.Messages.Select(m => m.Role));
            Assert.True(reader.TryRead(e.Prompt, out var read));
            Assert.Equal(PromptKind.Decision, read.Kind);
            Assert.Equal(Utility.Choice(plan.Scenario(read.Scenario), plan.TargetWeights(read.Scenario), read.Trial).ToString(), e.Answer);
            Assert.Equal(plan.RoleOf(read.Scenario), read.Role);
        }
        foreach (var e in ChatJsonl.Read(Path.Combine(dir, "itrain_all_20.jsonl")))
        {
            Assert.True(reader.TryRead(e.Prompt, out var read));
            Assert.Equal(PromptKind.Report, read.Kind);
            Assert.True(ReportParser.TryParse(e.Answer, plan.Scenario(read.Scenario), out var w, out _));
            Assert.Equal(plan.TargetWeights(read.Scenario).Select(x => (double)x), w);
        }
    }

    [Fact]
    public void Same_seeds_same_bytes_different_seed_different_bytes()
    {
        var quick = PreferencesExperiment.Config("quick");
        var a = Files(Build(quick));
        var b = Files(Build(quick));
        var c = Files(Build(quick with { Seeds = Seeds.FromMaster(2) }));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        Assert.NotEqual(a["instilled_weights.csv"], c["instilled_weights.csv"]);
        Assert.NotEqual(a["instill_20_prefs.jsonl"], c["instill_20_prefs.jsonl"]);
        Assert.NotEqual(a["roles.csv"], c["roles.csv"]);
    }

    [Fact]
    public void One_stage_seed_changes_only_its_own_draws()
    {
        var quick = PreferencesExperiment.Config("quick");
        var a = Files(Build(quick));
        var b = Files(Build(quick with { Seeds = quick.Seeds with { Weights = 12345 } }));
        Assert.NotEqual(a["instilled_weights.csv"], b["instilled_weights.csv"]);
        Assert.Equal(a["roles.csv"], b["roles.csv"]);
        Assert.Equal(a["scenarios.csv"], b["scenarios.csv"]);
    }

    [Fact]
    public void Bad_jsonl_line_names_file_and_line()
    {
        var e = Assert.Throws<IO.DataFileException>(() => ChatJsonl.Parse("x.jsonl",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"A\"}]}\nnot json\n"));
        Assert.Equal(2, e.LineNumber);
        Assert.StartsWith("x.jsonl:2:", e.Message);
        var f = Assert.Throws<IO.DataFileException>(() => ChatJsonl.Parse("x.jsonl", "{\"messages\":[{\"role\":\"user\"}]}\n"));
        Assert.Equal("messages[0]", f.Field);
    }

    [Fact]
    public void Bad_sizes_are_usage_errors_naming_the_field()
    {
        var e = Assert.Throws<UsageException>(() => PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 7 })));
        Assert.Contains("instilled", e.Message);
        Assert.Throws<UsageException>(() => PreferencesConfig.Preset("huge"));
    }
}
