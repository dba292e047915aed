using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfInterp.Organisms;
using SelfInterp.Core.Csv;

namespace SelfInterp.Cli.Tests;

/// <summary>`evaluate-organism --cross-prediction` end to end on the tiny recipe: 2 pretraining seeds × 1 run seed,
/// each with its cross-prediction run, whose analysis the row reads, and which a resumed evaluation does not redo.</summary>
public class EvaluateOrganismCrossPredictionTests
{
    private static readonly string[] Columns =
    [
        "cross_prediction_self_slope", "cross_prediction_self_slope_low", "cross_prediction_self_slope_high",
        "cross_prediction_cross_slope", "cross_prediction_cross_slope_low", "cross_prediction_cross_slope_high",
        "cross_prediction_cross_bad_reports", "self_minus_cross_paired", "self_minus_cross_paired_low", "self_minus_cross_paired_high",
    ];

    [Fact]
    public void Runs_cross_prediction_beside_every_run_reads_its_analysis_and_does_not_run_it_again()
    {
        var root = Directory.CreateTempSubdirectory("evaluate-cross").FullName;
        Directory.CreateDirectory(Path.Combine(root, "recipe"));
        OrganismRecipe.Tiny.Save(Path.Combine(root, "recipe"));
        var outDir = Path.Combine(root, "eval");
        string[] args = ["evaluate-organism", "--out", outDir, "--recipe", Path.Combine(root, "recipe", OrganismRecipe.FileName), "--pretrain-seeds", "7,8",
            "--run-seeds", "11", "--preset", "quick", "--option", "instill_epochs=1", "--cross-prediction"];
        var (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("[2/2] pretrain-8 run seed 11:", stdout);
        Assert.Contains("self − cross", stdout);

        // Each run has its cross-prediction run beside it, at the same preset and run seed, and the row's columns are its analysis's.
        var rows = CsvTable.Read(Path.Combine(outDir, "evaluation.csv"));
        foreach (var column in Columns) Assert.True(rows.HasColumn(column), column);
        Assert.Equal(2, rows.Rows.Count);
        foreach (var r in rows.Rows)
        {
            string dir = CrossDir(outDir, r["organism"]);
            var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json"))).RootElement.GetProperty("config");
            Assert.Equal("cross-prediction", config.GetProperty("experiment").GetString());
            Assert.Equal("quick", config.GetProperty("preset").GetString());
            Assert.Equal(r["organism"], config.GetProperty("base_model").GetString());
            var figures = JsonDocument.Parse(File.ReadAllText(Summary(dir))).RootElement.GetProperty("cross_prediction");
            AssertField(figures.GetProperty("self").GetProperty("slope"), r["cross_prediction_self_slope"]);
            AssertField(figures.GetProperty("cross").GetProperty("ci95")[1], r["cross_prediction_cross_slope_high"]);
            AssertField(figures.GetProperty("cross").GetProperty("bad_reports"), r["cross_prediction_cross_bad_reports"]);
            AssertField(figures.GetProperty("self_minus_cross").GetProperty("difference"), r["self_minus_cross_paired"]);
            AssertField(figures.GetProperty("self_minus_cross").GetProperty("ci95")[0], r["self_minus_cross_paired_low"]);
            // The tiny organism writes no valid report, the cross model (fine-tuned from it) none either: all counted bad.
            Assert.Equal(200, r.Double("cross_prediction_cross_bad_reports"));
            Assert.Single(Directory.GetFiles(dir, "*_cross_weight_reports.csv"));
        }

        // Give each cross-prediction analysis known figures: a resumed evaluation must read them back, not run or analyse again.
        var stamps = new Dictionary<string, DateTime>();
        double[] planted = [0.25, 0.35];
        for (int i = 0; i < 2; i++)
        {
            string dir = CrossDir(outDir, rows.Rows[i]["organism"]);
            var node = JsonNode.Parse(File.ReadAllText(Summary(dir)))!;
            var difference = node["cross_prediction"]!["self_minus_cross"]!;
            difference["difference"] = planted[i];
            difference["ci95"] = new JsonArray(planted[i] - 0.2, planted[i] + 0.2);
            node["cross_prediction"]!["self"]!["slope"] = 0.5 + i;
            File.WriteAllText(Summary(dir), node.ToJsonString());
            foreach (var file in Directory.GetFiles(dir, "*_cross_weight_reports.csv").Append(Summary(dir))) stamps[file] = File.GetLastWriteTimeUtc(file);
        }
        (code, stdout, err) = CliTests.Run(args);
        Assert.True(code == 0, stdout + err);
        Assert.Contains("self − cross 0.25 [0.05, 0.45]", stdout);
        foreach (var (file, stamp) in stamps) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
        rows = CsvTable.Read(Path.Combine(outDir, "evaluation.csv"));
        Assert.Equal([0.25, 0.35], rows.Rows.Select(r => r.Double("self_minus_cross_paired")));
        Assert.Equal([0.5, 1.5], rows.Rows.Select(r => r.Double("cross_prediction_self_slope")));

        // The recipe level: self − cross with the pretraining seed as the unit, and a paired effect in the power table.
        void AssertRecipeLevel(string dir)
        {
            var estimate = CsvTable.Read(Path.Combine(dir, "recipe_level.csv")).Rows.Single(r => r["measure"] == "self_minus_cross_paired");
            Assert.Equal(0.30, estimate.Double("estimate"), 12);
            Assert.Equal("2", estimate["pretrain_seeds"]);
            Assert.Contains(CsvTable.Read(Path.Combine(dir, "power.csv")).Rows, r => r["measure"] == "self_minus_cross_paired");
            Assert.Contains("| self_minus_cross_paired |", File.ReadAllText(Path.Combine(dir, "evaluation.md")));
        }
        AssertRecipeLevel(outDir);

        // --tabulate takes the columns as evaluation.csv has them, into another directory, running nothing.
        string tables = Path.Combine(root, "tables");
        (code, stdout, err) = CliTests.Run("evaluate-organism", "--out", outDir, "--tabulate", "--tables-out", tables);
        Assert.True(code == 0, stdout + err);
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, "evaluation.csv")), File.ReadAllText(Path.Combine(tables, "evaluation.csv")));
        AssertRecipeLevel(tables);
        foreach (var (file, stamp) in stamps) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
    }

    /// <summary>A cross-prediction summary whose figure is not a number, or that has none, is refused with its file and field.</summary>
    [Fact]
    public void A_damaged_cross_prediction_summary_names_its_file_and_field()
    {
        string dir = Directory.CreateTempSubdirectory("cross-summary").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "analysis"));
        string Write(string crossPrediction)
        {
            File.WriteAllText(Summary(dir), $"{{\"models\": []{crossPrediction}, \"warnings\": []}}");
            return Summary(dir);
        }
        const string condition = "{\"slope\": 0.4, \"ci95\": [0.1, 0.7], \"r\": 0.5, \"n\": 20, \"bad_reports\": 0, \"excluded_rows\": 0}";
        string good = $", \"cross_prediction\": {{\"self\": {condition}, \"cross\": {condition}, \"self_minus_cross\": {{\"difference\": 0.1, \"ci95\": [null, 0.3], \"scenarios\": 20}}}}";
        Write(good);
        var measures = SelfInterp.Experiments.OrganismEvaluation.CrossPredictionColumns.Read(dir);
        Assert.Equal(Columns, measures.Select(m => m.Column));
        Assert.Equal(0.1, measures.Single(m => m.Column == "self_minus_cross_paired").Value);
        Assert.True(double.IsNaN(measures.Single(m => m.Column == "self_minus_cross_paired_low").Value)); // null: undefined

        string path = Write(good.Replace("\"difference\": 0.1", "\"difference\": \"0.1\""));
        var e = Assert.Throws<SelfInterp.Core.IO.DataFileException>(() => SelfInterp.Experiments.OrganismEvaluation.CrossPredictionColumns.Read(dir));
        Assert.Equal(path, e.FilePath);
        Assert.Equal("cross_prediction.self_minus_cross.difference", e.Field);
        Write("");
        e = Assert.Throws<SelfInterp.Core.IO.DataFileException>(() => SelfInterp.Experiments.OrganismEvaluation.CrossPredictionColumns.Read(dir));
        Assert.Equal("cross_prediction", e.Field);
        Assert.False(SelfInterp.Experiments.OrganismEvaluation.CrossPredictionColumns.Analysed(dir)); // so the evaluation analyses the run again
    }

    private static string CrossDir(string outDir, string organism) => Path.Combine(outDir, "runs", $"{organism}-11-cross-prediction");
    private static string Summary(string runDir) => Path.Combine(runDir, "analysis", "summary.json");

    /// <summary>A summary.json number as evaluation.csv writes it: its value, or an empty field for null.</summary>
    private static void AssertField(JsonElement json, string field)
    {
        if (json.ValueKind == JsonValueKind.Null) Assert.Equal("", field);
        else Assert.Equal(json.GetDouble(), double.Parse(field, CultureInfo.InvariantCulture), 12);
    }
}
