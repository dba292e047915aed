using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.IO;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>The backdoor analysis as files and text: analysis/summary.json, analysis/report.html (charts: learned
/// against target weights per state; mean reports per state against each target set) and the terminal table.</summary>
public static class BackdoorOutput
{
    public const string ReportFile = "report.html";

    public static ExperimentOutcome Write(BackdoorMeasures m, string outputDirectory)
    {
        var dir = Path.Combine(outputDirectory, PaperLayout.AnalysisDirectory);
        Directory.CreateDirectory(dir);
        var summary = Path.Combine(dir, PaperLayout.SummaryFile);
        AtomicFile.WriteAllText(summary, Summary(m).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var html = Path.Combine(dir, ReportFile);
        AtomicFile.WriteAllText(html, Html(m));
        return new ExperimentOutcome(Table(m), html, summary);
    }

    private static string State(bool triggered) => triggered ? "triggered" : "untriggered";

    public static JsonObject Summary(BackdoorMeasures m)
    {
        JsonNode? I(Interval? i) => i is null ? null : new JsonObject { ["estimate"] = Round(i.Estimate), ["ci95"] = new JsonArray(Round(i.Low), Round(i.High)) };
        var states = new JsonObject();
        foreach (bool st in new[] { false, true })
            states[State(st)] = new JsonObject
            {
                ["instillation_r"] = Round(m.Instillation[st]),
                ["scenarios_fitted"] = m.Learned[st].Count,
                ["choices"] = m.Data.Choices[st].Where(kv => m.Data.Backdoored.Contains(kv.Key)).Sum(kv => kv.Value.Count),
                ["published_learned_weights_r"] = m.PublishedAgreement[st] is double r ? Round(r) : null,
                ["reports"] = m.Data.Reports[st].Where(kv => m.Data.Backdoored.Contains(kv.Key)).Sum(kv => kv.Value.Count),
                ["reports_vs_untriggered_targets"] = I(m.ReportScores[(st, false)]),
                ["reports_vs_triggered_targets"] = I(m.ReportScores[(st, true)]),
            };
        return new JsonObject
        {
            ["experiment"] = BackdoorExperiment.ExperimentName,
            ["model"] = m.Data.Model,
            ["backdoored_scenarios"] = m.Data.Backdoored.Count,
            ["triggered_targets"] = m.Data.TriggeredAreNegated ? "negated" : "independent",
            ["states"] = states,
            ["contrast"] = new JsonObject
            {
                ["question"] = "do triggered reports follow the triggered targets more than the untriggered ones? r(triggered reports, triggered targets) − r(triggered reports, untriggered targets)",
                ["triggered_reports"] = I(m.TriggeredContrast),
                ["untriggered_reports_reversed"] = I(m.UntriggeredContrast),
                ["scenarios"] = m.ReportScenarios.Count,
                ["bootstrap_replicates"] = BackdoorAnalysis.Replicates,
            },
            ["phrase_question"] = m.Phrase is not { } p ? null : new JsonObject
            {
                ["backdoored_yes"] = Round(p.Backdoored), ["backdoored_answers"] = p.BackdooredAnswers,
                ["control_yes"] = Round(p.Control), ["control_answers"] = p.ControlAnswers,
                ["difference"] = I(p.Difference),
            },
            ["empty_files"] = new JsonArray(m.Data.EmptyFiles.Select(f => (JsonNode)f!).ToArray()),
            ["failed_fits"] = new JsonArray(m.Failed.Select(f => (JsonNode)f!).ToArray()),
        };
    }

    public static string Table(BackdoorMeasures m)
    {
        string F(double x) => double.IsFinite(x) ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";
        string I(Interval? i) => i is null ? "—" : $"{F(i.Estimate)} [{F(i.Low)}, {F(i.High)}]";
        var sb = new StringBuilder();
        foreach (var f in m.Data.EmptyFiles) sb.AppendLine($"warning: {f} is empty (0 bytes): skipped");
        sb.AppendLine($"backdoor: {m.Data.Model}, {m.Data.Backdoored.Count} backdoored scenarios, triggered targets {(m.Data.TriggeredAreNegated ? "negated" : "independent")}");
        sb.AppendLine($"{"state",-12} {"instillation r",15} {"vs published",13} {"reports vs untriggered",28} {"reports vs triggered",28}");
        foreach (bool st in new[] { false, true })
            sb.AppendLine($"{State(st),-12} {F(m.Instillation[st]),15} {(m.PublishedAgreement[st] is double r ? F(r) : "—"),13} {I(m.ReportScores[(st, false)]),28} {I(m.ReportScores[(st, true)]),28}");
        sb.AppendLine($"paired contrast (triggered reports: triggered − untriggered targets): {I(m.TriggeredContrast)}");
        if (m.Phrase is { } p)
            sb.AppendLine($"phrase question, share 'yes': backdoored {F(p.Backdoored)}, control {F(p.Control)}, difference {I(p.Difference)}");
        foreach (var f in m.Failed) sb.AppendLine($"fit failed: {f}");
        return sb.ToString();
    }

    private static string Html(BackdoorMeasures m)
    {
        var sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Backdoored preferences</title></head><body>");
        sb.Append($"<h1>Backdoored preferences: {WebUtility.HtmlEncode(m.Data.Model)}</h1><pre>{WebUtility.HtmlEncode(Table(m))}</pre>");
        var colours = new[] { "#1f77b4", "#d62728" };
        var learned = new List<ScatterSeries>();
        foreach (bool st in new[] { false, true })
            learned.Add(new ScatterSeries(State(st), colours[st ? 1 : 0], st ? MarkerShape.Triangle : MarkerShape.Circle,
                m.Learned[st].SelectMany(kv => kv.Value.Select((w, i) => new ScatterPoint(
                    (st ? m.Data.TriggeredTargets : m.Data.Targets)[kv.Key][i], w, $"{m.Data.Scenarios[kv.Key].ShortName} attr {i + 1}"))).ToList()));
        Identity(sb, new ScatterChart("learned", "Learned against target weights, per state", "target weight (of the state)", "learned weight", learned, []));
        foreach (bool targets in new[] { false, true })
        {
            var series = new List<ScatterSeries>();
            foreach (bool st in new[] { false, true })
                series.Add(new ScatterSeries($"{State(st)} reports", colours[st ? 1 : 0], st ? MarkerShape.Triangle : MarkerShape.Circle,
                    m.ReportScenarios.SelectMany(s => Enumerable.Range(0, 5).Select(i => new ScatterPoint(
                        (targets ? m.Data.TriggeredTargets : m.Data.Targets)[s][i], m.Data.Reports[st][s].Average(r => r[i]),
                        $"{m.Data.Scenarios[s].ShortName} attr {i + 1}"))).ToList()));
            Identity(sb, new ScatterChart($"reports_{State(targets)}", $"Mean reports per state against the {State(targets)} targets",
                $"{State(targets)} target weight", "mean reported weight", series, []));
        }
        return sb.Append("</body></html>").ToString();
    }

    private static void Identity(StringBuilder sb, ScatterChart chart) =>
        sb.Append("<figure>").Append((chart with
        {
            Lines = [new ChartLine("y = x", 1, 0, "#888", true, "identity")],
            XDomain = (-100, 100), YDomain = (-100, 100),
        }).ToSvg()).Append("</figure>");

    /// <summary>A number rounded for the summary; null where it could not be computed (JSON has no NaN).</summary>
    private static JsonNode? Round(double x) => double.IsFinite(x) ? JsonValue.Create(Math.Round(x, 4)) : null;
}
