using System.Text.Json;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.IO;
using SelfInterp.Experiments.CrossPrediction;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// The cross-prediction runs of an evaluation (<c>evaluate-organism --cross-prediction</c>): beside each run, the
/// cross-prediction experiment on the same organism and run seed, in runs/{organism}-{seed}-cross-prediction/. Its
/// figures are read from that run's own analysis (summary.json's <see cref="CrossPredictionOutput.SummaryKey"/>), not
/// recomputed, and become the row's columns: self_minus_cross_paired (a paired effect, so the power table sizes the
/// design for it), cross_prediction_self_slope and cross_prediction_cross_slope, each with its interval.
/// </summary>
public static class CrossPredictionColumns
{
    public const string DirectorySuffix = "-cross-prediction";
    public const string SelfMinusCross = "self_minus_cross_paired", Self = "cross_prediction_self_slope", Cross = "cross_prediction_cross_slope";
    public const string CrossBadReports = "cross_prediction_cross_bad_reports";

    /// <summary>The measures of a cross-prediction run, from its analysis/summary.json; a file without the
    /// cross-prediction figures (or with a malformed one) names the file and the key.</summary>
    public static IReadOnlyList<(string Column, double Value)> Read(string runDirectory)
    {
        string path = SummaryFile(runDirectory);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        if (!json.RootElement.TryGetProperty(CrossPredictionOutput.SummaryKey, out var figures) || figures.ValueKind != JsonValueKind.Object)
            throw new DataFileException(path, null, CrossPredictionOutput.SummaryKey, "no cross-prediction figures: not a cross-prediction run's analysis");
        JsonElement Get(JsonElement parent, string key, string at) =>
            parent.TryGetProperty(key, out var v) ? v : throw new DataFileException(path, null, $"{at}.{key}", "missing");
        double Number(JsonElement e, string at) => e.ValueKind switch
        {
            JsonValueKind.Null => double.NaN,
            JsonValueKind.Number => e.GetDouble(),
            _ => throw new DataFileException(path, null, at, $"expected a number or null, got {e.GetRawText()}"),
        };
        (double, double, double) Interval(JsonElement parent, string valueKey, string at)
        {
            var ci = Get(parent, "ci95", at);
            if (ci.ValueKind != JsonValueKind.Array || ci.GetArrayLength() != 2) throw new DataFileException(path, null, at + ".ci95", "expected [low, high]");
            return (Number(Get(parent, valueKey, at), $"{at}.{valueKey}"), Number(ci[0], at + ".ci95[0]"), Number(ci[1], at + ".ci95[1]"));
        }
        string root = CrossPredictionOutput.SummaryKey;
        var self = Get(figures, "self", root);
        var cross = Get(figures, "cross", root);
        var difference = Get(figures, "self_minus_cross", root);
        var measures = new List<(string, double)>();
        EvaluationRow.Interval(measures, Self, Interval(self, "slope", root + ".self"));
        EvaluationRow.Interval(measures, Cross, Interval(cross, "slope", root + ".cross"));
        measures.Add((CrossBadReports, Number(Get(cross, "bad_reports", root + ".cross"), root + ".cross.bad_reports")));
        EvaluationRow.Interval(measures, SelfMinusCross, Interval(difference, "difference", root + ".self_minus_cross"));
        return measures;
    }

    /// <summary>Whether the run has been analysed as a cross-prediction run (its summary holds the figures).</summary>
    public static bool Analysed(string runDirectory)
    {
        string path = SummaryFile(runDirectory);
        if (!File.Exists(path)) return false;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.TryGetProperty(CrossPredictionOutput.SummaryKey, out _);
        }
        catch (JsonException) { return false; } // a damaged summary is written again
    }

    private static string SummaryFile(string runDirectory) => Path.Combine(runDirectory, PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile);
}
