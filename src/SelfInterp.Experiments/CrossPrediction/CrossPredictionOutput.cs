using System.Text;
using System.Text.Json;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Experiments.CrossPrediction;

/// <summary>Cross-prediction's rows in summary.json, the terminal table and the report.</summary>
public static class CrossPredictionOutput
{
    public const string SummaryKey = "cross_prediction";

    public static void Json(Utf8JsonWriter json, CrossPredictionResult r)
    {
        json.WriteStartObject(SummaryKey);
        SummaryJson.Condition(json, "self", r.Self);
        SummaryJson.Condition(json, "cross", r.Cross);
        json.WriteStartObject("self_minus_cross");
        SummaryJson.Number(json, "difference", r.Difference);
        json.WriteStartArray("ci95");
        foreach (var v in new[] { r.Low, r.High }) if (double.IsFinite(v)) json.WriteNumberValue(v); else json.WriteNullValue();
        json.WriteEndArray();
        json.WriteNumber("scenarios", r.Scenarios);
        json.WriteNumber("bootstrap_replicates", r.Replicates);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static string Table(CrossPredictionResult r)
    {
        var text = new StringBuilder();
        text.AppendLine("  cross-prediction (reports vs the instilled model's learned weights)");
        foreach (var (name, c) in new[] { ("self (instilled)", r.Self), ("cross", r.Cross) })
            text.AppendLine($"  {name,-22}{ReportText.F3(c.Slope),8}  {ReportText.Interval(c.Low, c.High),-18}{ReportText.F3(c.R),7}{c.N,6}{c.BadReports,6}{c.ExcludedRows,7}");
        text.AppendLine($"  self − cross: {ReportText.F3(r.Difference)} {ReportText.Interval(r.Low, r.High)} " +
                        $"(paired bootstrap over {r.Scenarios} scenarios, {r.Replicates} resamples)");
        return text.ToString();
    }

    public static ReportSection Section(CrossPredictionResult r) => new(
        "cross-prediction", "Self- versus cross-prediction",
        "Reports of the instilled model (self) and of a cross model fine-tuned on the instilled model's own choices " +
        "(cross), on the same prompts, each scored against the instilled model's learned weights. A self − cross " +
        "difference above 0 means the instilled model reports its preferences better than a model that learned the " +
        "same behaviour from outside; its interval is a paired bootstrap over scenarios.",
        ["measure", "slope", "95% interval", "r", "n", "bad"],
        [
            ["self (instilled)", ReportText.F3(r.Self.Slope), ReportText.Interval(r.Self.Low, r.Self.High), ReportText.F3(r.Self.R), $"{r.Self.N}", $"{r.Self.BadReports}"],
            ["cross", ReportText.F3(r.Cross.Slope), ReportText.Interval(r.Cross.Low, r.Cross.High), ReportText.F3(r.Cross.R), $"{r.Cross.N}", $"{r.Cross.BadReports}"],
            ["self − cross", ReportText.F3(r.Difference), ReportText.Interval(r.Low, r.High), "", $"{r.Scenarios} scenarios", ""],
        ]);
}
