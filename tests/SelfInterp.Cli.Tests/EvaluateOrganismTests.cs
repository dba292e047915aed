using System.Globalization;
using SelfInterp.Organisms;
using SelfInterp.Core.Csv;

namespace SelfInterp.Cli.Tests;

/// <summary>`selfinterp evaluate-organism` end to end on the tiny recipe: 2 pretraining seeds × 2 run seeds, quick preset.</summary>
public class EvaluateOrganismTests
{
    private static string Temp() => Directory.CreateTempSubdirectory("evaluate").FullName;

    [Fact]
    public void Pretrains_runs_and_tabulates_every_organism_and_seed_then_resumes_without_redoing_anything()
    {
        var root = Temp();
        var recipeDir = Path.Combine(root, "recipe");
        Directory.CreateDirectory(recipeDir);
        OrganismRecipe.Tiny.Save(recipeDir);
        var outDir = Path.Combine(root, "eval");
        string[] args = ["evaluate-organism", "--out", outDir, "--recipe", Path.Combine(recipeDir, OrganismRecipe.FileName), "--pretrain-seeds", "7,8",
            "--run-seeds", "11,12", "--preset", "quick", "--option", "instill_epochs=1"];
        var (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("[4/4] pretrain-8 run seed 12:", stdout);

        // One row per organism × run seed, with the pretraining seed each organism came from.
        var rows = CsvTable.Read(Path.Combine(outDir, "evaluation.csv"));
        Assert.Equal(["pretrain-7/7/11", "pretrain-7/7/12", "pretrain-8/8/11", "pretrain-8/8/12"],
            rows.Rows.Select(r => $"{r[rows.Column("organism")]}/{r[rows.Column("pretrain_seed")]}/{r[rows.Column("run_seed")]}"));
        foreach (var column in new[] { "instillation_r", "base_slope", "instilled_slope_low", "native_after_slope_high", "itraining_effect_paired", "native_effect_paired_low", "bad_report_share" })
            Assert.True(rows.HasColumn(column), column);
        double Value(CsvRow r, string c) => double.Parse(r[rows.Column(c)], CultureInfo.InvariantCulture);
        foreach (var r in rows.Rows)
        {
            Assert.Equal(200 + 200 + 100 + 100 + 200 + 200, Value(r, "reports")); // the quick preset's six report files, 10 reports a scenario
            // The tiny organism chooses A or B whatever it is shown and writes no valid report: the table says so,
            // with empty (NA) fields where a measure is undefined, as its run's own summary does.
            Assert.Equal(1.0, Value(r, "bad_report_share"));
            Assert.Equal("", r["instillation_r"]);
            Assert.Equal("", r["instilled_slope"]);
            Assert.Equal(200, Value(r, "instilled_bad_reports"));
            Assert.Equal(100, Value(r, "itrained_first_half_bad_reports"));
            Assert.True(Value(r, "run_seconds") > 0);
            var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "runs", $"{r[0]}-{r[2]}", "analysis", "summary.json")));
            var model = summary.RootElement.GetProperty("models")[0];
            Assert.Equal(r[0], model.GetProperty("base_model").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, model.GetProperty("instillation").GetProperty("r").ValueKind);
            Assert.Equal(200, model.GetProperty("reports").GetProperty("instilled").GetProperty("bad_reports").GetInt32());
        }
        // The two pretraining seeds made different organisms.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(outDir, "pretrain-7", "model.safetensors")), File.ReadAllBytes(Path.Combine(outDir, "pretrain-8", "model.safetensors")));

        // The summary: across all runs, across pretraining seeds (each organism's mean over its runs), and per organism.
        var summaryRows = CsvTable.Read(Path.Combine(outDir, "evaluation_summary.csv"));
        CsvRow Summary(string measure, string scope) => summaryRows.Rows.Single(r => r[0] == measure && r[1] == scope);
        var instR = rows.Rows.Select(r => Value(r, "run_seconds")).ToArray();
        var all = Summary("run_seconds", "runs");
        Assert.Equal("4", all[2]);
        Assert.Equal(instR.Average(), double.Parse(all[3], CultureInfo.InvariantCulture), 12);
        Assert.Equal(instR.Min(), double.Parse(all[5], CultureInfo.InvariantCulture), 12);
        Assert.Equal(instR.Max(), double.Parse(all[6], CultureInfo.InvariantCulture), 12);
        var seeds = Summary("run_seconds", "pretrain_seeds");
        Assert.Equal("2", seeds[2]);
        double m7 = (instR[0] + instR[1]) / 2, m8 = (instR[2] + instR[3]) / 2;
        Assert.Equal(Math.Abs(m7 - m8) / Math.Sqrt(2), double.Parse(seeds[4], CultureInfo.InvariantCulture), 12);
        Assert.Equal("2", Summary("run_seconds", "runs_of:pretrain-8")[2]);
        Assert.Equal("0", Summary("instillation_r", "runs")[2]); // undefined in every run: no value to summarise
        Assert.DoesNotContain(summaryRows.Rows, r => r[0].EndsWith("_low", StringComparison.Ordinal));
        var md = File.ReadAllText(Path.Combine(outDir, "evaluation.md"));
        Assert.Contains("| instillation_r |", md);
        Assert.Contains("Fresh run seeds.", md);

        // The same command again: nothing pretrained or run again, the same tables (times aside).
        var table = File.ReadAllText(Path.Combine(outDir, "evaluation.csv"));
        var weights = File.GetLastWriteTimeUtc(Path.Combine(outDir, "pretrain-7", "model.safetensors"));
        (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("pretraining seed 7: complete", stdout);
        Assert.Equal(weights, File.GetLastWriteTimeUtc(Path.Combine(outDir, "pretrain-7", "model.safetensors")));
        Assert.Equal(Strip(table), Strip(File.ReadAllText(Path.Combine(outDir, "evaluation.csv"))));
    }

    /// <summary>The table without its run_seconds column.</summary>
    private static string Strip(string csv)
    {
        var t = CsvTable.Parse("x", csv);
        int seconds = t.Column("run_seconds");
        return string.Join("\n", t.Rows.Select(r => string.Join(",", t.Header.Select((_, i) => i == seconds ? "" : r[i]))));
    }

    /// <summary>On a shipped organism that does report (one quick run and its permuted-target sham), the row carries the
    /// run's figures, the ridge-probe ceiling and the sham's effects beside them; the sham is the case where it must not fire.</summary>
    [Fact]
    public void A_shipped_organism_gets_its_runs_figures_in_the_table()
    {
        var outDir = Path.Combine(Temp(), "eval");
        var (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "reporter", "--run-seeds", "11", "--preset", "quick", "--sham", "permuted");
        Assert.True(code == 0, stdout + err);
        var rows = CsvTable.Read(Path.Combine(outDir, "evaluation.csv"));
        var row = Assert.Single(rows.Rows);
        Assert.Equal("reporter", row["organism"]);
        Assert.Equal(OrganismRecipe.Load(Path.Combine(AppContext.BaseDirectory, "models", "reporter")).Seed.ToString(CultureInfo.InvariantCulture), row["pretrain_seed"]);
        var model = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "runs", "reporter-11", "analysis", "summary.json"))).RootElement.GetProperty("models")[0];
        double V(string c) => double.Parse(row[c], CultureInfo.InvariantCulture);
        Assert.Equal(model.GetProperty("instillation").GetProperty("r").GetDouble(), V("instillation_r"), 12);
        Assert.True(V("instillation_r") > 0.8);
        var instilled = model.GetProperty("reports").GetProperty("instilled");
        Assert.Equal(instilled.GetProperty("slope").GetDouble(), V("instilled_slope"), 12);
        Assert.True(V("instilled_slope_low") < V("instilled_slope") && V("instilled_slope") < V("instilled_slope_high"));
        var paired = model.GetProperty("itraining_effect_paired");
        Assert.Equal(paired.GetProperty("difference").GetDouble(), V("itraining_effect_paired"), 12);
        var againstBase = model.GetProperty("instilled_vs_base_paired");
        Assert.Equal(againstBase.GetProperty("difference").GetDouble(), V("instilled_vs_base_paired"), 12);
        Assert.Equal(againstBase.GetProperty("ci95")[0].GetDouble(), V("instilled_vs_base_paired_low"), 12);
        Assert.Contains("Fresh run seeds.", File.ReadAllText(Path.Combine(outDir, "evaluation.md")));

        // The ridge ceiling: the reporter's instilled names carry their weights (embedding instillation), so a linear
        // probe on them predicts the held-out half well.
        Assert.True(V("ridge_ceiling_held_out_low") < V("ridge_ceiling_held_out") && V("ridge_ceiling_held_out") < V("ridge_ceiling_held_out_high"));
        Assert.True(V("ridge_ceiling_held_out") > 0.5, row["ridge_ceiling_held_out"]);
        // The sham: its own run, with only the itraining targets changed (the real run's config has no such setting).
        string shamDir = Path.Combine(outDir, "runs", "reporter-11-sham-permuted");
        var shamConfig = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(shamDir, "run.json"))).RootElement.GetProperty("config").GetProperty("settings");
        Assert.Equal("permuted", shamConfig.GetProperty("itrain_targets").GetString());
        var realConfig = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "runs", "reporter-11", "run.json"))).RootElement.GetProperty("config").GetProperty("settings");
        Assert.False(realConfig.TryGetProperty("itrain_targets", out _));
        var sham = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(shamDir, "analysis", "summary.json"))).RootElement.GetProperty("models")[0];
        Assert.Equal(sham.GetProperty("itraining_effect_paired").GetProperty("difference").GetDouble(), V("sham_permuted_itraining_effect_paired"), 12);
        Assert.NotEqual(V("itraining_effect_paired"), V("sham_permuted_itraining_effect_paired"));
        // The real effect beyond the sham's, paired by run: a measure of its own, so the recipe level treats it with the seed as the unit.
        Assert.Equal(V("itraining_effect_paired") - V("sham_permuted_itraining_effect_paired"), V("sham_permuted_" + Experiments.OrganismEvaluation.EvaluationRow.BeyondSham), 12);
        Assert.Contains("sham_permuted_" + Experiments.OrganismEvaluation.EvaluationRow.BeyondSham + ",", File.ReadAllText(Path.Combine(outDir, "recipe_level.csv")));
        // Where the sham must not fire: the reporter's read-out was pretrained, so names trained on other scenarios'
        // weights cannot improve its held-out reports (its interval is not above 0, its held-out below the real one's).
        Assert.True(V("sham_permuted_itraining_effect_paired_low") <= 0, row["sham_permuted_itraining_effect_paired_low"]);
        Assert.True(V("sham_permuted_itrained_held_out_slope") < V("itrained_held_out_slope"));
        Assert.Contains("sham_permuted_itraining_effect_paired", File.ReadAllText(Path.Combine(outDir, "evaluation.md")));
        Assert.Contains("sham permuted", stdout);
    }

    [Fact]
    public void Bad_seeds_and_missing_inputs_exit_2()
    {
        var outDir = Path.Combine(Temp(), "eval");
        var (c1, _, e1) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "reporter", "--run-seeds", "11,x");
        Assert.Equal(2, c1);
        Assert.Contains("--run-seeds '11,x': 'x' is not a seed", e1);
        var (c2, _, e2) = CliTests.Run("evaluate-organism", "--out", outDir, "--recipe", "reporter");
        Assert.Equal(2, c2);
        Assert.Contains("--recipe needs --pretrain-seeds", e2);
        var (c3, _, e3) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "no-such-organism");
        Assert.Equal(2, c3);
        Assert.Contains("known: ", e3);
        Assert.Contains("reporter", e3);
        var (c4, _, e4) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "reporter", "--sham", "shuffled");
        Assert.Equal(2, c4);
        Assert.Contains("--sham shuffled: unknown", e4);
        Assert.False(Directory.Exists(Path.Combine(outDir, "runs")));
    }
}
