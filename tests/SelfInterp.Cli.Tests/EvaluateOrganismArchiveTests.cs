using System.Text.Json;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Organisms;

namespace SelfInterp.Cli.Tests;

/// <summary>`evaluate-organism --archive-to` end to end on the tiny recipe: an evaluation archived without its models and
/// replies (what is left out listed with its hash), tabulated from the archive to the same tables, resumed from the archive
/// with a new run seed (the archived run keeping its row, running nothing), and every way an archive could lose or mix
/// figures refused with the directory named.</summary>
public class EvaluateOrganismArchiveTests
{
    [Fact]
    public void An_archive_keeps_the_tables_and_records_leaves_out_models_and_replies_and_is_resumed_without_running_its_runs()
    {
        var root = Directory.CreateTempSubdirectory("evaluate-archive").FullName;
        Directory.CreateDirectory(Path.Combine(root, "recipe"));
        OrganismRecipe.Tiny.Save(Path.Combine(root, "recipe"));
        string recipe = Path.Combine(root, "recipe", OrganismRecipe.FileName), eval = Path.Combine(root, "eval"), archive = Path.Combine(root, "archive");
        string[] Args(string outDir, string runSeeds, params string[] more) =>
            ["evaluate-organism", "--out", outDir, "--recipe", recipe, "--pretrain-seeds", "7", "--run-seeds", runSeeds, "--preset", "quick",
             "--option", "instill_epochs=1", "--sham", "permuted", .. more];
        var (code, stdout, err) = CliTests.Run(Args(eval, "11"));
        Assert.True(code == 0, stdout + err);

        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", archive);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("archived 1 rows: 2 run directories and 1 pretrainings (3 written now", stdout);
        Assert.Equal(File.ReadAllText(Path.Combine(eval, "evaluation.csv")), File.ReadAllText(Path.Combine(archive, "evaluation.csv")));
        // The pretraining keeps its recipe, log and mark; its weights are listed with their hash, not copied.
        string pretrain = Path.Combine(archive, "pretrain-7");
        Assert.True(File.Exists(Path.Combine(pretrain, OrganismRecipe.FileName)) && File.Exists(Path.Combine(pretrain, "pretrain_complete.txt")));
        Assert.False(File.Exists(Path.Combine(pretrain, "model.safetensors")));
        var leftOut = LeftOut(pretrain);
        Assert.Equal(FileHash.Sha256(Path.Combine(eval, "pretrain-7", "model.safetensors")), leftOut["model.safetensors"]);
        Assert.Contains("tokenizer.json", leftOut.Keys);
        // Each run (and its sham) keeps run.json and analysis/, not its models, replies or raw files.
        foreach (var run in new[] { "pretrain-7-11", "pretrain-7-11-sham-permuted" })
        {
            string dir = Path.Combine(archive, "runs", run), source = Path.Combine(eval, "runs", run);
            Assert.True(File.Exists(Path.Combine(dir, "run.json")) && File.Exists(Path.Combine(dir, "analysis", "summary.json")), run);
            Assert.False(Directory.Exists(Path.Combine(dir, "models")) || Directory.Exists(Path.Combine(dir, "replies")), run);
            Assert.Empty(Directory.GetFiles(dir).Select(Path.GetFileName).Except(["run.json", "archived.json"]));
            var left = LeftOut(dir);
            var raw = Directory.GetFiles(source, "*.csv").First();
            Assert.Equal(FileHash.Sha256(raw), left[Path.GetFileName(raw)]);
            Assert.Contains(left.Keys, k => k.StartsWith("models/", StringComparison.Ordinal));
        }

        // Archived again with nothing new: every directory is held as it is, not written or hashed again.
        var marks = Directory.GetFiles(archive, "archived.json", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", archive);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("(0 written now", stdout);
        Assert.Equal(marks, Directory.GetFiles(archive, "archived.json", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        Assert.Empty(Directory.GetDirectories(archive, "*.partial", SearchOption.AllDirectories));

        // Tabulated from the archive: the same recipe-level table as from the evaluation.
        string fromEval = Path.Combine(root, "t1"), fromArchive = Path.Combine(root, "t2");
        Assert.Equal(0, CliTests.Run("evaluate-organism", "--out", eval, "--tabulate", "--tables-out", fromEval).Code);
        Assert.Equal(0, CliTests.Run("evaluate-organism", "--out", archive, "--tabulate", "--tables-out", fromArchive).Code);
        Assert.Equal(File.ReadAllText(Path.Combine(fromEval, "recipe_level.csv")), File.ReadAllText(Path.Combine(fromArchive, "recipe_level.csv")));

        // A new run seed needs the organism's weights: pretrained again, they are put back only if their hash is the
        // archive's. Here the record is altered first: refused, nothing put back.
        string mark = Path.Combine(pretrain, "archived.json"), record = File.ReadAllText(mark);
        File.WriteAllText(mark, record.Replace(leftOut["model.safetensors"], new string('0', 64)));
        (code, _, err) = CliTests.Run(Args(archive, "11,12"));
        Assert.Equal(2, code);
        Assert.Contains("SHA-256", err);
        Assert.Contains(new string('0', 64), err);
        Assert.False(File.Exists(Path.Combine(pretrain, "model.safetensors")));
        File.WriteAllText(mark, record);

        // Resumed from the archive with one more run seed: the weights are made again (the same bytes), run seed 11 keeps
        // its row and runs nothing; 12 runs.
        (code, stdout, err) = CliTests.Run(Args(archive, "11,12"));
        Assert.True(code == 0, stdout + err);
        Assert.Contains("pretraining seed 7 again", stdout);
        Assert.Equal(FileHash.Sha256(Path.Combine(eval, "pretrain-7", "model.safetensors")), FileHash.Sha256(Path.Combine(pretrain, "model.safetensors")));
        Assert.False(File.Exists(mark));
        Assert.Contains("[1/2] pretrain-7 run seed 11: archived, its row kept", stdout);
        Assert.Contains("[2/2] pretrain-7 run seed 12:", stdout);
        Assert.False(Directory.Exists(Path.Combine(archive, "runs", "pretrain-7-11", "models")));
        Assert.True(Directory.Exists(Path.Combine(archive, "runs", "pretrain-7-12", "models")));
        var rows = CsvTable.Read(Path.Combine(archive, "evaluation.csv"));
        Assert.Equal(["11", "12"], rows.Rows.Select(r => r["run_seed"]));
        var firstLines = File.ReadAllLines(Path.Combine(eval, "evaluation.csv"));
        Assert.Equal(firstLines, File.ReadAllLines(Path.Combine(archive, "evaluation.csv")).Take(2));

        // Resumed with run seed 12 alone, the tables would lose archived run seed 11's row, all that is left of that run:
        // refused before anything is written.
        string before = File.ReadAllText(Path.Combine(archive, "evaluation.csv"));
        (code, _, err) = CliTests.Run(Args(archive, "12"));
        Assert.Equal(2, code);
        Assert.Contains("archived runs this evaluation leaves out (pretrain-7 run seed 11)", err);
        Assert.Equal(before, File.ReadAllText(Path.Combine(archive, "evaluation.csv")));

        // Archiving the first evaluation again into the resumed archive would drop run seed 12's row: refused, nothing written.
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", archive);
        Assert.Equal(2, code);
        Assert.Contains("pretrain-7 run seed 12", err);
        Assert.Contains("would drop", err);
        Assert.Equal(before, File.ReadAllText(Path.Combine(archive, "evaluation.csv")));

        // The resumed archive archived in turn: run seed 11 keeps the list it had, run seed 12 and the pretraining (whole again) get theirs.
        string second = Path.Combine(root, "archive2");
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", archive, "--archive-to", second);
        Assert.True(code == 0, stdout + err);
        Assert.Equal(File.ReadAllText(Path.Combine(archive, "runs", "pretrain-7-11", "archived.json")), File.ReadAllText(Path.Combine(second, "runs", "pretrain-7-11", "archived.json")));
        Assert.Contains(LeftOut(Path.Combine(second, "runs", "pretrain-7-12")).Keys, k => k.StartsWith("models/", StringComparison.Ordinal));
        Assert.Equal(leftOut["model.safetensors"], LeftOut(Path.Combine(second, "pretrain-7"))["model.safetensors"]);

        // An archived run cannot be run again with other options, nor measured by a pass it was archived before.
        (code, _, err) = CliTests.Run(Args(archive, "11,12")[..^2]);
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine("runs", "pretrain-7-11"), err);
        Assert.Contains("archived with --sham permuted", err);
        (code, _, err) = CliTests.Run(Args(archive, "11,12", "--white-box", "--white-box-run-seeds", "11"));
        Assert.Equal(2, code);
        Assert.Contains("archived before the lab ran on it", err);
    }

    [Fact]
    public void A_run_without_the_records_asked_for_is_not_archived_and_nothing_is_archived_without_an_evaluation()
    {
        var root = Directory.CreateTempSubdirectory("evaluate-archive-required").FullName;
        Directory.CreateDirectory(Path.Combine(root, "recipe"));
        OrganismRecipe.Tiny.Save(Path.Combine(root, "recipe"));
        string eval = Path.Combine(root, "eval"), archive = Path.Combine(root, "archive");
        var (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", eval, "--recipe", Path.Combine(root, "recipe", OrganismRecipe.FileName),
            "--pretrain-seeds", "7", "--run-seeds", "11", "--preset", "quick", "--option", "instill_epochs=1");
        Assert.True(code == 0, stdout + err);
        // The lab never ran: with --white-box the run waits for it (archived now, it could never be measured).
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", archive, "--white-box");
        Assert.True(code == 0, stdout + err);
        Assert.Contains("pretrain-7-11: no white_box/lab.json yet, not archived", stdout);
        Assert.Contains("archived 1 rows: 0 run directories and 1 pretrainings (1 written now", stdout);
        Assert.False(Directory.Exists(Path.Combine(archive, "runs")));

        (code, _, err) = CliTests.Run("evaluate-organism", "--out", Path.Combine(root, "none"), "--archive-to", archive);
        Assert.Equal(2, code);
        Assert.Contains("no finished run to archive", err);
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", eval);
        Assert.Equal(2, code);
        Assert.Contains("is the evaluation itself", err);
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", archive, "--sham", "permuted");
        Assert.Equal(2, code);
        Assert.Contains("--sham does not go with --archive-to", err);
        (code, _, err) = CliTests.Run("evaluate-organism", "--out", eval, "--archive-to", archive, "--run-seeds", "12");
        Assert.Equal(2, code);
        Assert.Contains("--run-seeds does not go with --archive-to", err);
    }

    static Dictionary<string, string> LeftOut(string directory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "archived.json")));
        return doc.RootElement.GetProperty("left_out").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("sha256").GetString()!);
    }
}
