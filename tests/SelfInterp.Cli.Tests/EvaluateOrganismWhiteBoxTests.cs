using SelfInterp.Organisms;
using SelfInterp.Core.Csv;

namespace SelfInterp.Cli.Tests;

/// <summary>`evaluate-organism --white-box` end to end on the tiny recipe: the lab on one run per pretraining seed,
/// cached, re-tabulated, and refused where its input is wrong.</summary>
public class EvaluateOrganismWhiteBoxTests
{
    private static string Temp() => Directory.CreateTempSubdirectory("evaluate-white-box").FullName;

    [Fact]
    public void Measures_the_selected_runs_once_and_tabulates_them_at_the_pretraining_seed()
    {
        var root = Temp();
        Directory.CreateDirectory(Path.Combine(root, "recipe"));
        OrganismRecipe.Tiny.Save(Path.Combine(root, "recipe"));
        var outDir = Path.Combine(root, "eval");
        string[] args = ["evaluate-organism", "--out", outDir, "--recipe", Path.Combine(root, "recipe", OrganismRecipe.FileName), "--pretrain-seeds", "7,8",
            "--run-seeds", "11", "--preset", "quick", "--option", "instill_epochs=1", "--white-box", "--white-box-nulls", "3"];
        var (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("[white box 2/2] pretrain-8 run seed 11:", stdout);

        // One row per measured run, keyed as evaluation.csv is; the lab's files in each run's white_box/.
        var rows = CsvTable.Read(Path.Combine(outDir, "white_box.csv"));
        Assert.Equal(["pretrain-7/7/11", "pretrain-8/8/11"], rows.Rows.Select(r => $"{r["organism"]}/{r["pretrain_seed"]}/{r["run_seed"]}"));
        foreach (var column in new[] { "probe_instilled_last_learned_r", "probe_untrained_body_last_learned_null_p95", "readout_itrained_held_out_last_cosine",
                     "steer_itrained_first_grounding_ratio_low", "lab_seconds" })
            Assert.True(rows.HasColumn(column), column);
        foreach (var r in rows.Rows)
        {
            Assert.InRange(r.Double("probe_instilled_embed_learned_r"), -1, 1);
            Assert.True(r.Double("lab_seconds") > 0);
            string lab = Path.Combine(outDir, "runs", $"{r["organism"]}-11", "white_box");
            foreach (var file in new[] { "probes.csv", "readout.csv", "interventions.csv", "lab.json" }) Assert.True(File.Exists(Path.Combine(lab, file)), file);
            // The held-out lab: the two half-trained models, never itrained_all; and the untrained-body control.
            var models = CsvTable.Read(Path.Combine(lab, "probes.csv")).Rows.Select(p => p["model"]).Distinct().ToList();
            Assert.Equal(["base", "instilled", "itrained_first", "itrained_last", "untrained_body"], models);
            // The untrained body keeps the instilled embeddings: at hook_embed its probe is the instilled model's.
            Assert.Equal(r["probe_instilled_embed_learned_r"], r["probe_untrained_body_embed_learned_r"]);
        }
        // The recipe level: two pretraining seeds, one run each.
        var recipe = CsvTable.Read(Path.Combine(outDir, "white_box_recipe_level.csv"));
        var probe = recipe.Rows.Single(r => r["measure"] == "probe_instilled_embed_learned_r");
        Assert.Equal("2", probe["pretrain_seeds"]);
        Assert.Equal("2", probe["runs"]);
        Assert.Equal((rows.Rows[0].Double("probe_instilled_embed_learned_r") + rows.Rows[1].Double("probe_instilled_embed_learned_r")) / 2, probe.Double("estimate"), 12);
        Assert.Contains("The lab on 2 run(s): 2 pretrained organism(s)", File.ReadAllText(Path.Combine(outDir, "white_box.md")));

        // Again: nothing measured again, the same table to the byte (the times come from each run's lab.json).
        string table = File.ReadAllText(Path.Combine(outDir, "white_box.csv"));
        string record = Path.Combine(outDir, "runs", "pretrain-7-11", "white_box", "lab.json");
        var written = File.GetLastWriteTimeUtc(record);
        (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("[white box 1/2] pretrain-7 run seed 11: measured before", stdout);
        Assert.DoesNotContain("probe: observing", stdout);
        Assert.Equal(written, File.GetLastWriteTimeUtc(record));
        Assert.Equal(table, File.ReadAllText(Path.Combine(outDir, "white_box.csv")));

        // Tabulated again elsewhere from the cached labs, measuring nothing: the same table.
        var elsewhere = Path.Combine(root, "tables");
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--tabulate", "--tables-out", elsewhere, "--white-box");
        Assert.True(code == 0, stdout + err);
        Assert.Equal(table, File.ReadAllText(Path.Combine(elsewhere, "white_box.csv")));

        // Other lab settings are refused, naming the run's lab.json, and nothing of it is lost.
        (code, stdout, err) = CliTests.Run([.. args[..^1], "5"]);
        Assert.Equal(2, code);
        Assert.Contains(record, err);
        Assert.Contains("3 null draws", err);
        Assert.Equal(written, File.GetLastWriteTimeUtc(record));

        // A lab file gone, or a damaged lab.json, is named with what to do.
        string probes = Path.Combine(outDir, "runs", "pretrain-8-11", "white_box", "probes.csv");
        File.Delete(probes);
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--tabulate", "--tables-out", elsewhere, "--white-box");
        Assert.Equal(2, code);
        Assert.Contains(probes + ": missing", err);
        File.WriteAllText(record, "{ not json");
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--tabulate", "--tables-out", elsewhere, "--white-box");
        Assert.Equal(2, code);
        Assert.Contains(record, err);
        Assert.Contains("remove", err);
    }

    [Fact]
    public void Bad_white_box_options_exit_2_before_anything_runs()
    {
        var outDir = Path.Combine(Temp(), "eval");
        var (c1, _, e1) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "reporter", "--white-box-run-seeds", "11");
        Assert.Equal(2, c1);
        Assert.Contains("--white-box-run-seeds goes with --white-box", e1);
        var (c2, _, e2) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "reporter", "--run-seeds", "11,12", "--white-box", "--white-box-run-seeds", "13");
        Assert.Equal(2, c2);
        Assert.Contains("--white-box-run-seeds: 13 is not among --run-seeds (11,12)", e2);
        var (c3, _, e3) = CliTests.Run("evaluate-organism", "--out", outDir, "--organism", "reporter", "--white-box", "--white-box-nulls", "-1");
        Assert.Equal(2, c3);
        Assert.Contains("--white-box-nulls -1", e3);
        Assert.False(Directory.Exists(outDir));

        // Tabulating the lab of an evaluation the lab never measured (the shipped one, only read) says what to run.
        string research = EvaluateOrganismTabulateTests.Research("naive"), tables = Path.Combine(Temp(), "tables");
        var (c4, _, e4) = CliTests.Run("evaluate-organism", "--out", research, "--tabulate", "--tables-out", tables, "--white-box");
        Assert.Equal(2, c4);
        Assert.Contains("no run has white-box figures", e4);
        Assert.Contains("evaluate-organism --white-box", e4);
        var (c5, _, e5) = CliTests.Run("evaluate-organism", "--out", research, "--tabulate", "--tables-out", tables, "--white-box", "--white-box-run-seeds", "99");
        Assert.Equal(2, c5);
        Assert.Contains("no run at run seed 99", e5);
    }
}
