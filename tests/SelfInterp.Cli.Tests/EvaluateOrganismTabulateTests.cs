using System.Globalization;
using SelfInterp.Organisms;
using SelfInterp.Core.Csv;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.Cli.Tests;

/// <summary>`evaluate-organism --tabulate`: the recipe-level tables of an existing evaluation, re-made without a run;
/// and pretraining seeds that fail the accuracy guard, counted and shown, never replaced.</summary>
public class EvaluateOrganismTabulateTests
{
    private static string Temp() => Directory.CreateTempSubdirectory("tabulate").FullName;

    /// <summary>The repository's research/organism/evaluation/{name} (the shipped fresh-seed evaluation).</summary>
    internal static string Research(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "research", "organism", "evaluation", name)))
                return Path.Combine(dir.FullName, "research", "organism", "evaluation", name);
        throw new DirectoryNotFoundException("research/organism/evaluation/" + name);
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void Tabulates_the_naive_evaluation_at_the_pretraining_seed_without_touching_it()
    {
        string source = Research("naive"), tables = Path.Combine(Temp(), "tables");
        var before = Directory.GetFiles(source).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", source, "--tabulate", "--tables-out", tables);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("tabulated 15 runs", stdout);
        Assert.Equal(before, Directory.GetFiles(source).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        // The rows go through unchanged.
        Assert.Equal(File.ReadAllText(Path.Combine(source, "evaluation.csv")), File.ReadAllText(Path.Combine(tables, "evaluation.csv")));

        var runs = CsvTable.Read(Path.Combine(source, "evaluation.csv"));
        var recipe = CsvTable.Read(Path.Combine(tables, "recipe_level.csv"));
        CsvRow Row(string measure) => recipe.Rows.Single(r => r["measure"] == measure);
        // instilled − base: the mean of the three seeds' means, and t(2) on them.
        var seedMeans = runs.Rows.GroupBy(r => r["organism"]).Select(g => g.Average(r => D(r["instilled_vs_base_paired"]))).ToArray();
        double mean = seedMeans.Average(), sd = Math.Sqrt(seedMeans.Sum(m => (m - mean) * (m - mean)) / 2);
        var ivb = Row("instilled_vs_base_paired");
        Assert.Equal(mean, D(ivb["estimate"]), 12);
        Assert.Equal(mean - 4.302652729749464 * sd / Math.Sqrt(3), D(ivb["low"]), 9);
        Assert.Equal(("3", "15", "5", "5", "0"), (ivb["pretrain_seeds"], ivb["runs"], ivb["min_runs_per_seed"], ivb["max_runs_per_seed"], ivb["pretrain_seeds_failed_guard"]));
        // The intraclass correlations a reviewer found from the same file: 0.95, 0.76, 0.91.
        Assert.Equal(0.95, D(ivb["icc"]), 2);
        Assert.Equal(0.76, D(Row("itraining_effect_paired")["icc"]), 2);
        Assert.Equal(0.91, D(Row("native_effect_paired")["icc"]), 2);
        Assert.True(D(ivb["low"]) < 0 && D(ivb["high"]) > 0); // no recipe-level effect on three seeds

        // Power: about 15 pretraining seeds for +0.10 of instilled − base, barely fewer with more run seeds.
        var power = CsvTable.Read(Path.Combine(tables, "power.csv"));
        var needed = power.Rows.Where(r => r["measure"] == "instilled_vs_base_paired").ToDictionary(r => r["run_seeds_per_pretrain_seed"], r => int.Parse(r["pretrain_seeds_needed"], CultureInfo.InvariantCulture));
        Assert.InRange(needed["3"], 14, 18);
        Assert.True(needed["1"] - needed["5"] <= 1);
        // What the three seeds as run can resolve: far more than 0.10, and it is the power analysis's own figure.
        var asRun = power.Rows.Single(r => r["measure"] == "instilled_vs_base_paired" && r["run_seeds_per_pretrain_seed"] == "5");
        Assert.Equal("3", asRun["pretrain_seeds_as_run"]);
        Assert.Equal(SeedPower.DetectableEffect(D(ivb["between_seed_sd"]), D(Row("instilled_vs_base_paired")["within_seed_sd"]), 3, 5), D(asRun["detectable_effect_with_seeds_as_run"]), 9);
        Assert.InRange(D(asRun["detectable_effect_with_seeds_as_run"]), 0.3, 1.0);

        // The report says the design and its power before any result.
        var md = File.ReadAllText(Path.Combine(tables, "evaluation.md"));
        int design = md.IndexOf("## Design", StringComparison.Ordinal), powerAt = md.IndexOf("## Power", StringComparison.Ordinal);
        int level = md.IndexOf("## Recipe level", StringComparison.Ordinal), runsAt = md.IndexOf("## Each run", StringComparison.Ordinal);
        Assert.True(0 < design && design < powerAt && powerAt < level && level < runsAt, md);
        Assert.Contains("| instilled_vs_base_paired | 0.034 [-0.286, 0.354] | 0.128 | 0.029 | 0.95 | 3 | 15 |", md);
        // The evaluation's own heading is kept, and tabulating the tables again does not say so twice.
        Assert.Contains("Preset paper; run options: none. Fresh run seeds. Tabulated again from", md);
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", tables, "--tabulate");
        Assert.True(code == 0, stdout + err);
        var again = File.ReadAllText(Path.Combine(tables, "evaluation.md"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(again, "Tabulated again from"));
        Assert.Equal(md[md.IndexOf("## Design", StringComparison.Ordinal)..], again[again.IndexOf("## Design", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void Seeds_that_failed_the_accuracy_guard_are_counted_and_shown_whether_marked_or_read_from_their_log()
    {
        var eval = Temp();
        File.Copy(Path.Combine(Research("naive"), "evaluation.csv"), Path.Combine(eval, "evaluation.csv"));
        string Seed(ulong seed) { var d = Path.Combine(eval, $"pretrain-{seed}"); Directory.CreateDirectory(d); return d; }
        File.WriteAllText(Path.Combine(Seed(20261122), "pretrain_complete.txt"), "3000 steps\n");
        File.WriteAllText(Path.Combine(Seed(20261130), "pretrain_failed.txt"), "pretraining stalled: decision accuracy 0.51 at step 1200 of 3000\n");
        // Stopped by a binary that left no marker: its log ends at the guard's step (0.4 × 3000) at or below 0.6.
        var logOnly = Seed(20261131);
        (OrganismRecipe.Naive with { Seed = 20261131 }).Save(logOnly);
        File.WriteAllText(Path.Combine(logOnly, "pretrain_log.csv"), "step,loss,decision_accuracy,lr,seconds\n1150,0.7,0.55,0.002,300\n1200,0.69,0.5625,0.002,310\n");
        // Still running (or killed): not a failure.
        var running = Seed(20261132);
        (OrganismRecipe.Naive with { Seed = 20261132 }).Save(running);
        File.WriteAllText(Path.Combine(running, "pretrain_log.csv"), "step,loss,decision_accuracy,lr,seconds\n800,0.5,0.58,0.002,200\n");

        var (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", eval, "--tabulate");
        Assert.True(code == 0, stdout + err);
        var status = CsvTable.Read(Path.Combine(eval, "pretraining.csv"));
        Assert.Equal(["20261122:complete", "20261130:failed_accuracy_guard", "20261131:failed_accuracy_guard", "20261132:incomplete"],
            status.Rows.Select(r => $"{r["pretrain_seed"]}:{r["status"]}"));
        Assert.Contains("0.56 at step 1200 of 3000", status.Rows[2]["detail"]);
        Assert.All(CsvTable.Read(Path.Combine(eval, "recipe_level.csv")).Rows, r => Assert.Equal("2", r["pretrain_seeds_failed_guard"]));
        var md = File.ReadAllText(Path.Combine(eval, "evaluation.md"));
        Assert.Contains("4 tried, 1 complete, **2 failed the accuracy guard**, 1 not finished", md);
        Assert.Contains("- 20261130: failed accuracy guard: pretraining stalled: decision accuracy 0.51", md);
    }

    [Fact]
    public void A_recipe_whose_guard_stops_every_seed_is_tabulated_as_failures_and_not_pretrained_again()
    {
        var root = Temp();
        var recipeDir = Path.Combine(root, "recipe");
        Directory.CreateDirectory(recipeDir);
        (OrganismRecipe.Tiny with { Curriculum = OrganismRecipe.Tiny.Curriculum with { AccuracyGuard = [0.5, 0.99] } }).Save(recipeDir);
        var outDir = Path.Combine(root, "eval");
        string[] args = ["evaluate-organism", "--out", outDir, "--recipe", Path.Combine(recipeDir, OrganismRecipe.FileName), "--pretrain-seeds", "7,8", "--run-seeds", "11", "--preset", "quick"];
        var (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("pretraining seed 7: FAILED its accuracy guard", stdout);
        Assert.Contains("pretraining seed 8: FAILED its accuracy guard", stdout);
        Assert.False(Directory.Exists(Path.Combine(outDir, "runs")));
        var status = CsvTable.Read(Path.Combine(outDir, "pretraining.csv"));
        Assert.All(status.Rows, r => Assert.Equal("failed_accuracy_guard", r["status"]));
        Assert.Contains("2 tried, 0 complete, **2 failed the accuracy guard**", File.ReadAllText(Path.Combine(outDir, "evaluation.md")));

        var log = File.GetLastWriteTimeUtc(Path.Combine(outDir, "pretrain-7", "pretrain_log.csv"));
        (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("pretraining seed 7: failed its accuracy guard before", stdout);
        Assert.Equal(log, File.GetLastWriteTimeUtc(Path.Combine(outDir, "pretrain-7", "pretrain_log.csv")));
    }

    [Fact]
    public void Tabulating_bad_input_exits_2_naming_what_is_wrong()
    {
        var empty = Temp();
        var (c1, _, e1) = CliTests.Run("evaluate-organism", "--out", empty, "--tabulate");
        Assert.Equal(2, c1);
        Assert.Contains("evaluation.csv: no such file, and no pretrain-{seed}/ directory", e1);

        File.WriteAllText(Path.Combine(empty, "evaluation.csv"), "organism,pretrain_seed,run_seed,base_slope\nnaive,1,11,0.1\nnaive,1,12,abc\n");
        var (c2, _, e2) = CliTests.Run("evaluate-organism", "--out", empty, "--tabulate");
        Assert.Equal(2, c2);
        Assert.Contains("evaluation.csv:3: field 'base_slope': 'abc' is not a finite number", e2);

        var (c3, _, e3) = CliTests.Run("evaluate-organism", "--out", empty, "--tabulate", "--power-effect", "0");
        Assert.Equal(2, c3);
        Assert.Contains("--power-effect 0", e3);
        var (c4, _, e4) = CliTests.Run("evaluate-organism", "--out", empty, "--organism", "reporter", "--tables-out", empty);
        Assert.Equal(2, c4);
        Assert.Contains("--tables-out goes with --tabulate", e4);
    }
}
