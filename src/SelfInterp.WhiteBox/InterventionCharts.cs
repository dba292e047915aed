using System.Globalization;
using SelfInterp.Analysis.Report.Svg;

namespace SelfInterp.WhiteBox;

/// <summary>Each intervention test of interventions.csv as a chart of effect against strength: the setting on x
/// (steering: weight points the probe's reading was moved; decision read-out: its scale factor), the change
/// (intervened − control) on y with its 95% interval, one series per model (at its hook point) and measure: a colour each, circles for choices and triangles for reports.</summary>
public static class InterventionCharts
{
    static readonly string[] Colours = [Palette.Orange, Palette.Blue, Palette.BluishGreen, Palette.Vermillion];

    sealed record Test(string Name, string Title, string XTitle);

    static readonly Test[] Tests =
    [
        new("steering", "Steering: change in choice weight and report against steering strength (probe points at one attribute's names, decision and report prompts)",
            "steering strength (weight points of the probe's reading)"),
        new("report_path_only", "Report path only: change in report and choice weight against steering strength (report prompts only)",
            "steering strength (weight points of the probe's reading)"),
        new("decision_path_only", "Decision path only: change in choice weight (+ away from zero) and report against the decision read-out's scale",
            "scale of the A-vs-B read-out at the answer (1 = unchanged)"),
    ];

    /// <summary>The charts of the tests present in <paramref name="rows"/>, in the order of the tests.</summary>
    public static IEnumerable<ScatterChart> All(IReadOnlyList<InterventionRow> rows)
    {
        foreach (var test in Tests)
        {
            var points = rows.Where(r => r.Test == test.Name && r.Statistic == "mean_change").ToList();
            if (points.Count == 0) continue;
            var series = new List<ScatterSeries>();
            foreach (var (model, k) in points.Select(r => (r.Model, r.Layer)).Distinct().Select((m, k) => (m, k)))
            {
                var mine = points.Where(r => r.Model == model.Model && r.Layer == model.Layer).OrderBy(r => Strength(r.Setting)).ToList();
                string name = $"{model.Model} at {WhiteBoxReport.ShortLayer(model.Layer)}";
                series.Add(new ScatterSeries($"{name}: choice", Colours[2 * k % Colours.Length], MarkerShape.Circle,
                    mine.Select(r => Point(r, name, "choice weight", r.Choice, r.ChoiceLow, r.ChoiceHigh)).ToList(), Connected: true));
                series.Add(new ScatterSeries($"{name}: report", Colours[(2 * k + 1) % Colours.Length], MarkerShape.Triangle,
                    mine.Select(r => Point(r, name, "report", r.Report, r.ReportLow, r.ReportHigh)).ToList(), Connected: true));
            }
            yield return new ScatterChart($"intervention-{test.Name}", test.Title + "; 95% intervals", test.XTitle,
                "change, intervened − control (weight points)", series, [new ChartLine("no change", 0, 0, Palette.Grey, true, "no change: 0")], Width: 440, Height: 420);
        }
    }

    static ScatterPoint Point(InterventionRow r, string series, string measure, double value, double low, double high) =>
        new(Strength(r.Setting), value, $"{series}, {r.Setting}: {measure} {F(value)} [{F(low)}, {F(high)}], {r.Units} scenarios", low, high);

    /// <summary>The numeric strength of a setting: "+25" and "-50" (weight points) or "x0.5" (a scale).</summary>
    public static double Strength(string setting) =>
        double.Parse(setting.TrimStart('x'), NumberStyles.Float, CultureInfo.InvariantCulture);

    static string F(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
}
