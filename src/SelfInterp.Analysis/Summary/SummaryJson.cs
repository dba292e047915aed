using System.Text;
using System.Text.Json;

namespace SelfInterp.Analysis.Summary;

/// <summary>
/// summary.json, written field by field so its schema is exactly the (snake_case; null for a missing
/// report file or an undefined number), with extras after the required keys: excluded_rows per condition,
/// native_effect and failed_scenarios per model, warnings at the top. The effects come twice: the paper's
/// interaction model (itraining_effect, native_effect, as published) and the paired bootstrap over scenarios.
/// </summary>
public static class SummaryJson
{
    /// <param name="extra">Writes an experiment's own top-level properties, after the models.</param>
    public static string Write(AnalysisSummary summary, Action<Utf8JsonWriter>? extra = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            Number(json, "elapsed_s", summary.ElapsedSeconds);
            if (summary.ScenariosFile is { } scenarios) json.WriteString("scenarios_file", scenarios);
            if (summary.WeightsFile is { } weights) json.WriteString("weights_file", weights);
            json.WriteStartArray("models");
            foreach (var model in summary.Models) WriteModel(json, model);
            json.WriteEndArray();
            extra?.Invoke(json);
            json.WriteStartArray("warnings");
            foreach (var w in summary.Warnings) json.WriteStringValue(w);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteModel(Utf8JsonWriter json, ModelAnalysis model)
    {
        json.WriteStartObject();
        json.WriteString("base_model", model.BaseModel);

        if (model.Instillation is { } inst)
        {
            json.WriteStartObject("instillation");
            Number(json, "r", inst.R);
            json.WriteNumber("scenarios", inst.Scenarios);
            json.WriteEndObject();
        }
        else json.WriteNull("instillation");

        Measures(json, "reports", model.Reports);
        Measures(json, "reports_vs_target", model.VersusTarget);
        if (model.BaseOwn is { } own) Condition(json, "base_vs_own_choices", own);
        else json.WriteNull("base_vs_own_choices");

        Difference(json, "itraining_effect", model.ItrainingEffect, PaperMethod);
        Difference(json, "native_effect", model.NativeEffect, PaperMethod);
        Difference(json, "itraining_effect_paired", model.PairedItrainingEffect, PairedMethod);
        Difference(json, "native_effect_paired", model.PairedNativeEffect, PairedMethod);
        Difference(json, "instilled_vs_base_paired", model.PairedInstilledVsBase, PairedMethod);

        json.WriteStartArray("published_regression_agreement");
        foreach (var p in model.Published)
        {
            json.WriteStartObject();
            json.WriteString("file", p.File);
            Number(json, "r", p.R);
            json.WriteNumber("scenarios", p.Scenarios);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("failed_scenarios");
        foreach (var f in model.FailedScenarios)
        {
            json.WriteStartObject();
            json.WriteNumber("scenario", f.Scenario);
            json.WriteString("selections_file", f.SelectionsFile);
            json.WriteString("reason", f.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Measures(Utf8JsonWriter json, string key, ReportStatistics? measures)
    {
        if (measures is null) { json.WriteNull(key); return; }
        json.WriteStartObject(key);
        foreach (var (name, c) in measures.Named())
        {
            if (c is null) json.WriteNull(name);
            else Condition(json, name, c);
        }
        json.WriteEndObject();
    }

    /// <summary>One report measure: slope, interval, r, n, bad and excluded rows.</summary>
    public static void Condition(Utf8JsonWriter json, string key, ConditionStatistics c)
    {
        json.WriteStartObject(key);
        Number(json, "slope", c.Slope);
        Interval(json, c.Low, c.High);
        Number(json, "r", c.R);
        json.WriteNumber("n", c.N);
        json.WriteNumber("bad_reports", c.BadReports);
        json.WriteNumber("excluded_rows", c.ExcludedRows);
        if (c.N == 0) json.WriteString("note", "no valid reports");
        json.WriteEndObject();
    }

    public const string PaperMethod = "paper: interaction model, independent samples";
    public const string PairedMethod = "paired bootstrap over scenarios";

    private static void Difference(Utf8JsonWriter json, string key, SlopeDifference? d, string method)
    {
        if (d is null) { json.WriteNull(key); return; }
        json.WriteStartObject(key);
        json.WriteString("method", method);
        Number(json, "difference", d.Difference);
        Interval(json, d.Low, d.High);
        json.WriteEndObject();
    }

    private static void Interval(Utf8JsonWriter json, double low, double high)
    {
        json.WriteStartArray("ci95");
        Value(json, low);
        Value(json, high);
        json.WriteEndArray();
    }

    public static void Number(Utf8JsonWriter json, string key, double value)
    {
        json.WritePropertyName(key);
        Value(json, value);
    }

    /// <summary>JSON has no NaN: an undefined statistic is null.</summary>
    private static void Value(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteNullValue();
    }
}
