using SelfInterp.Core.Csv;
using SelfInterp.Organisms;

namespace SelfInterp.Cli.Tests;

/// <summary>`evaluate-organism --held-out-family` end to end on a small hold-lottery recipe: 2 pretraining seeds × 1 run
/// seed, each run's record and the family's tables written, a resumed evaluation reading the records back, --tabulate
/// re-making the same tables, and a family the recipe reports refused before anything is written.</summary>
public class EvaluateOrganismHeldOutFamilyTests
{
    [Fact]
    public void Measures_the_held_out_family_on_every_run_and_resumes_from_its_records()
    {
        var root = Directory.CreateTempSubdirectory("evaluate-heldout").FullName;
        Assert.True(BuiltInRecipes.TryGet(BuiltInRecipes.HoldLotteryName, out var builtIn));
        var small = builtIn.WithShape(32, 1, 2, 64);
        small = small with
        {
            Curriculum = small.Curriculum with { Steps = 12, BatchDecisions = 8, BatchReports = 24, Warmup = 2, AccuracyGuard = [] },
            Families = small.Families with { BatchBehaviours = 16 },
        };
        string recipeDir = Path.Combine(root, "recipe");
        Directory.CreateDirectory(recipeDir);
        small.Save(recipeDir);
        string outDir = Path.Combine(root, "eval");
        string[] args = ["evaluate-organism", "--out", outDir, "--recipe", Path.Combine(recipeDir, OrganismRecipe.FileName), "--pretrain-seeds", "7,8",
            "--run-seeds", "11", "--preset", "quick", "--option", "instill_epochs=1", "--held-out-family", "lottery_a"];
        var (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("[held-out family 2/2] pretrain-8 run seed 11:", stdout);

        var rows = CsvTable.Read(Path.Combine(outDir, "held_out_family_lottery_a.csv"));
        Assert.Equal(2, rows.Rows.Count);
        foreach (var column in new[] { "instilled_minus_base", "base_r", "instilled_r", "native_r", "instillation_r", "base_bad_share", "steer_report_m40", "steer_behaviour_p40", "steer_report_slope", "steer_report_consistent", "cross_r", "self_minus_cross", "supervised" })
            Assert.True(rows.HasColumn(column), column);
        Assert.All(rows.Rows, r => Assert.Equal("0", r["supervised"]));
        // The run's instillation option holds for the family's instillation too: one epoch of 40 × 64 examples in batches of 50.
        Assert.All(rows.Rows, r => Assert.Equal("52", r["instillation_steps"]));
        Assert.All(rows.Rows, r => Assert.True(File.Exists(Path.Combine(outDir, "runs", r["organism"] + "-11", "held_out_family", "lottery_a.json"))));
        var recipeLevel = File.ReadAllText(Path.Combine(outDir, "held_out_family_lottery_a_recipe_level.csv"));
        Assert.Contains("instillation_r", recipeLevel);
        Assert.DoesNotContain("instillation_steps", recipeLevel); // counts are not summarised
        Assert.Contains("lottery_a", File.ReadAllText(Path.Combine(outDir, "held_out_family_lottery_a.md")));

        // Resumed: the records are read back, nothing measured again, the same rows.
        string before = File.ReadAllText(Path.Combine(outDir, "held_out_family_lottery_a.csv"));
        (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("measured before", stdout);
        Assert.Equal(before, File.ReadAllText(Path.Combine(outDir, "held_out_family_lottery_a.csv")));

        // --tabulate makes the same table from the records alone.
        string tables = Path.Combine(root, "tables");
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--tabulate", "--tables-out", tables, "--held-out-family", "lottery_a");
        Assert.True(code == 0, stdout + err);
        Assert.Equal(before, File.ReadAllText(Path.Combine(tables, "held_out_family_lottery_a.csv")));
    }

    [Fact]
    public void A_family_the_recipe_reports_is_refused_before_anything_runs()
    {
        var root = Directory.CreateTempSubdirectory("evaluate-heldout-refused").FullName;
        string outDir = Path.Combine(root, "eval");
        var (code, _, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--recipe", BuiltInRecipes.HoldLotteryName, "--pretrain-seeds", "7",
            "--held-out-family", "rating_a");
        Assert.Equal(2, code);
        Assert.Contains("rating_a", err);
        Assert.Contains("not held out", err);
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--recipe", BuiltInRecipes.HoldLotteryName, "--pretrain-seeds", "7",
            "--held-out-family", "lottery_z");
        Assert.Equal(2, code);
        Assert.Contains("no such family", err);
        Assert.False(Directory.Exists(outDir), "nothing may be written");
    }
}
