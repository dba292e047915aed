using System.Globalization;
using System.Text;
using System.Text.Json;
using SelfInterp.Analysis.Report;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.IO;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// The behaviour analysis written out: analysis/self_reports_by_model.csv, behaviour_by_model.csv, contrasts.csv,
/// summary.json, the terminal table, and report.html / report.md (<see cref="BehaviorReport"/>).
/// </summary>
public static class BehaviorOutput
{
    public static ExperimentOutcome Write(string runDir, BehaviorResult r)
    {
        var dir = Path.Combine(runDir, BehaviorLayout.AnalysisDirectory);
        Directory.CreateDirectory(dir);
        SelfReportsCsv(r).WriteTo(Path.Combine(dir, BehaviorLayout.ModelSelfReportsFile));
        BehaviourCsv(r).WriteTo(Path.Combine(dir, BehaviorLayout.ModelBehaviourFile));
        ContrastsCsv(r).WriteTo(Path.Combine(dir, BehaviorLayout.ContrastsFile));
        var summary = Path.Combine(dir, BehaviorLayout.SummaryFile);
        AtomicFile.WriteAllText(summary, Json(r));
        var html = BehaviorReport.Write(runDir, r);
        return new ExperimentOutcome(Table(r), html, summary);
    }

    private static CsvWriter SelfReportsCsv(BehaviorResult r)
    {
        var w = new CsvWriter(["model", "condition", "trait", "seed", "kind", "mean", "ci_low", "ci_high", "paraphrases", "samples", "unreadable",
            "minus_base", "minus_base_low", "minus_base_high"]);
        foreach (var s in r.SelfReports)
        {
            w.Field(s.Model).Field(s.Condition).Field(s.Trait).Field(s.Seed).Field(s.Kind);
            Numbers(w, s.Score);
            w.Field(s.Score.N).Field(s.Samples).Field(s.Unreadable);
            Numbers(w, s.MinusBase);
        }
        return w;
    }

    private static CsvWriter BehaviourCsv(BehaviorResult r)
    {
        var w = new CsvWriter(["model", "condition", "trait", "seed", "triggered", "share_high", "ci_low", "ci_high", "readable", "unreadable", "mean_p_high"]);
        foreach (var b in r.Behaviour)
        {
            w.Field(b.Model).Field(b.Condition).Field(b.Trait).Field(b.Seed).Field(b.Triggered ? 1 : 0);
            Numbers(w, b.ShareHigh);
            w.Field(b.ShareHigh.N).Field(b.Unreadable);
            Number(w, b.MeanProbabilityHigh);
        }
        return w;
    }

    private static CsvWriter ContrastsCsv(BehaviorResult r)
    {
        var w = new CsvWriter(["contrast", "trait", "kind", "difference", "ci_low", "ci_high", "paraphrases"]);
        foreach (var c in r.Contrasts)
        {
            w.Field(c.Name).Field(c.Trait).Field(c.Kind);
            Numbers(w, c.Difference);
            w.Field(c.Difference.N);
        }
        foreach (var c in r.Correlations)
        {
            w.Field("correlation: self-rating vs behaviour").Field(c.Trait).Field(c.Kind);
            Numbers(w, c.R);
            w.Field(c.R.N);
        }
        return w;
    }

    private static void Numbers(CsvWriter w, Estimate e) { Number(w, e.Value); Number(w, e.Low); Number(w, e.High); }

    private static void Number(CsvWriter w, double v)
    {
        if (double.IsFinite(v)) w.Field(Math.Round(v, 6)); else w.Empty();
    }

    public static string Json(BehaviorResult r)
    {
        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", BehaviorExperiment.ExperimentName);
            json.WriteNumber("samples_per_paraphrase", r.Config.Samples);
            json.WriteNumber("temperature", r.Config.Temperature);
            json.WriteNumber("paraphrases", SelfReportQuestions.Paraphrases);
            Objects(json, "self_reports", r.SelfReports, s =>
            {
                json.WriteString("model", s.Model); json.WriteString("condition", s.Condition); json.WriteString("trait", s.Trait);
                json.WriteNumber("seed", s.Seed); json.WriteString("kind", s.Kind);
                Write(json, "score", s.Score);
                json.WriteNumber("samples", s.Samples); json.WriteNumber("unreadable", s.Unreadable);
                Write(json, "minus_base", s.MinusBase);
            });
            Objects(json, "behaviour", r.Behaviour, b =>
            {
                json.WriteString("model", b.Model); json.WriteString("condition", b.Condition); json.WriteString("trait", b.Trait);
                json.WriteNumber("seed", b.Seed); json.WriteBoolean("triggered", b.Triggered);
                Write(json, "share_high", b.ShareHigh);
                json.WriteNumber("unreadable", b.Unreadable);
                Value(json, "mean_p_high", b.MeanProbabilityHigh);
            });
            Objects(json, "contrasts", r.Contrasts, c =>
            {
                json.WriteString("contrast", c.Name); json.WriteString("trait", c.Trait); json.WriteString("kind", c.Kind);
                Write(json, "difference", c.Difference);
                json.WriteString("method", "paired over paraphrases, averaged over seeds; t interval");
            });
            Objects(json, "correlations", r.Correlations, c =>
            {
                json.WriteString("trait", c.Trait); json.WriteString("kind", c.Kind);
                Write(json, "r", c.R);
                json.WriteString("method", "Pearson over the trait's models (base included): mean self-rating vs share of high-pole choices; Fisher-z interval");
            });
            json.WriteStartArray("warnings");
            foreach (var w in r.Warnings) json.WriteStringValue(w);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>An array of one object per item, its fields written by <paramref name="fields"/>.</summary>
    private static void Objects<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<T> fields)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            fields(item);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Write(Utf8JsonWriter json, string name, Estimate e)
    {
        json.WriteStartObject(name);
        Value(json, "estimate", e.Value);
        json.WriteStartArray("ci95");
        foreach (var v in new[] { e.Low, e.High }) if (double.IsFinite(v)) json.WriteNumberValue(Math.Round(v, 6)); else json.WriteNullValue();
        json.WriteEndArray();
        json.WriteNumber("n", e.N);
        json.WriteEndObject();
    }

    private static void Value(Utf8JsonWriter json, string name, double v)
    {
        if (double.IsFinite(v)) json.WriteNumber(name, Math.Round(v, 6)); else json.WriteNull(name);
    }

    public static string Table(BehaviorResult r)
    {
        var t = new StringBuilder();
        t.AppendLine("  behavioural self-awareness: mean self-rating (0-100) [95% interval over paraphrases]");
        t.AppendLine($"  {"model",-28}{"trait",-8}{"kind",-20}{"score",8}  {"interval",-20}{"minus base",11}  interval");
        foreach (var s in r.SelfReports)
            t.AppendLine($"  {s.Model,-28}{s.Trait,-8}{s.Kind,-20}{F(s.Score.Value),8}  {I(s.Score),-20}{F(s.MinusBase.Value),11}  {I(s.MinusBase)}");
        t.AppendLine("  behaviour on held-out questions: share of high-pole choices");
        foreach (var b in r.Behaviour)
            t.AppendLine($"  {b.Model,-28}{b.Trait,-8}{(b.Triggered ? "with trigger" : ""),-20}{F(b.ShareHigh.Value),8}  {I(b.ShareHigh)}");
        t.AppendLine("  contrasts (paired over paraphrases)");
        foreach (var c in r.Contrasts)
            t.AppendLine($"  {c.Name + " (" + c.Trait + ", " + c.Kind + ")",-56}{F(c.Difference.Value),8}  {I(c.Difference)}");
        foreach (var c in r.Correlations)
            t.AppendLine($"  {"r(self-rating, behaviour) (" + c.Trait + ", " + c.R.N + " models)",-56}{F(c.R.Value),8}  {I(c.R)}");
        foreach (var w in r.Warnings) t.AppendLine($"  warning: {w}");
        return t.ToString();
    }

    /// <summary>A value as the tables and reports show it, with the same minus sign (U+2212) as their intervals.</summary>
    public static string F(double v) => double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture).Replace('-', '\u2212') : "n/a";
    public static string I(Estimate e) => ReportText.Interval(e.Low, e.High);
}
