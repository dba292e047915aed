using SelfInterp.Analysis.Summary;
using SelfInterp.Analysis.Layout;
using System.Text.Json;

namespace SelfInterp.Analysis.Tests;

/// <summary>summary.json has the schema: parsed back, every required key is there with the right shape.</summary>
public class SummaryJsonTests
{
    private static readonly string[] ReportKeys =
        ["base", "instilled", "itrained_first_half", "itrained_second_half", "itrained_held_out", "native_before", "native_after"];

    [Fact]
    public void Summary_file_matches_the_schema_with_null_for_a_missing_report_file()
    {
        using var dir = new TempDirectory();
        new SyntheticRun { Seed = 10, Models = ["m-one", "m-two"], InstilledScenarios = 10, NativeScenarios = 6, ReportNoise = 30 }.Write(dir.Path);
        File.Delete(dir.File(PaperLayout.Reports("m-two", ReportCondition.NativeAfter, ReportCounts.Paper)));
        var summary = Analyzer.Analyze(dir.Path);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "analysis", PaperLayout.SummaryFile)));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("elapsed_s").GetDouble() > 0);
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["m-one", "m-two"], models.Select(m => m.GetProperty("base_model").GetString()));

        foreach (var m in models)
        {
            var inst = m.GetProperty("instillation");
            Assert.InRange(inst.GetProperty("r").GetDouble(), -1, 1);
            Assert.Equal(10, inst.GetProperty("scenarios").GetInt32());

            var reports = m.GetProperty("reports");
            Assert.Equal(ReportKeys, reports.EnumerateObject().Select(p => p.Name));
            foreach (var key in ReportKeys)
            {
                var c = reports.GetProperty(key);
                if (c.ValueKind == JsonValueKind.Null) continue;
                double slope = c.GetProperty("slope").GetDouble();
                var ci = c.GetProperty("ci95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                Assert.Equal(2, ci.Length);
                Assert.True(ci[0] < slope && slope < ci[1]);
                Assert.InRange(c.GetProperty("r").GetDouble(), -1, 1);
                Assert.True(c.GetProperty("n").GetInt32() > 0);
                Assert.Equal(0, c.GetProperty("bad_reports").GetInt32());
            }
            var effect = m.GetProperty("itraining_effect");
            double difference = effect.GetProperty("difference").GetDouble();
            var interval = effect.GetProperty("ci95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(interval[0] < difference && difference < interval[1]);
        }
        Assert.Equal(JsonValueKind.Null, models[1].GetProperty("reports").GetProperty("native_after").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, models[0].GetProperty("reports").GetProperty("native_after").ValueKind);
        Assert.Equal(JsonValueKind.Null, models[1].GetProperty("native_effect").ValueKind);

        // the file and the returned object say the same
        var held = summary.Models[0].Reports.ItrainedHeldOut!;
        var heldJson = models[0].GetProperty("reports").GetProperty("itrained_held_out");
        Assert.Equal(held.Slope, heldJson.GetProperty("slope").GetDouble());
        Assert.Equal(held.N, heldJson.GetProperty("n").GetInt32());
    }

    [Fact]
    public void Undefined_numbers_are_null_not_NaN()
    {
        var nan = new ConditionStatistics(double.NaN, double.NaN, double.NaN, double.NaN, 0, 3, 0, []);
        var reports = new ReportStatistics(nan, null, null, null, null, null, null);
        var summary = new AnalysisSummary(0.5, [new ModelAnalysis("m", null, reports, null, null, [], [], [])], ["w"]);
        using var doc = JsonDocument.Parse(SummaryJson.Write(summary));
        var model = doc.RootElement.GetProperty("models")[0];
        var c = model.GetProperty("reports").GetProperty("base");
        Assert.Equal(JsonValueKind.Null, c.GetProperty("slope").ValueKind);
        Assert.Equal(JsonValueKind.Null, c.GetProperty("ci95")[0].ValueKind);
        Assert.Equal(3, c.GetProperty("bad_reports").GetInt32());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("instillation").ValueKind);
        Assert.Equal(JsonValueKind.Null, model.GetProperty("itraining_effect").ValueKind);
        Assert.Equal("w", doc.RootElement.GetProperty("warnings")[0].GetString());
    }
}
