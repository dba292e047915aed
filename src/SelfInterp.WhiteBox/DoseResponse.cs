using static SelfInterp.WhiteBox.InterventionStudy;

namespace SelfInterp.WhiteBox;

/// <summary>Steering read as a dose-response curve: every (scenario, strength) cell's change in the steered attribute's
/// choice weight and report, against the strength set. Figures, each with a 95% scenario-bootstrap interval (the same
/// resamples for a row's choice and report, so the ratio is paired):
/// <list type="bullet">
/// <item><c>dose_slope</c>: change per weight point of strength, least squares over every cell (choice and report);</item>
/// <item><c>grounding_ratio</c>: the report's dose slope over the choice's — how far the reports move per point the
/// intervention moves the choices. The strength is set by us, so this ratio is the causal gain (an instrumental-variable
/// estimate with the strength as the instrument) and it agrees with the curve by construction;</item>
/// <item><c>report_on_choice_pooled</c>: least squares of report change on choice change over every cell, the figure
/// the lab first called the grounding slope, split into its two parts:
/// <c>report_on_choice_between_settings</c> (the per-strength means: the curve) and <c>report_on_choice_within_setting</c>
/// (across scenarios at one strength, each cell centred on its strength's means). The within part is no effect of the
/// dose: it says whether scenarios whose choices happened to move more also moved their reports more, and when the
/// choice changes vary more across scenarios than across strengths it outweighs the curve in the pooled slope.</item>
/// </list></summary>
public static class DoseResponse
{
    public static IEnumerable<InterventionRow> Rows(string test, string model, string layer, List<Effect> effects, ulong seed)
    {
        yield return Slopes(test, model, layer, effects, seed);
        yield return Single(test, model, layer, "grounding_ratio", effects, seed, GroundingRatio);
        yield return Single(test, model, layer, "report_on_choice_pooled", effects, seed, Pooled);
        yield return Single(test, model, layer, "report_on_choice_between_settings", effects, seed, BetweenSettings);
        yield return Single(test, model, layer, "report_on_choice_within_setting", effects, seed, WithinSetting);
    }

    /// <summary>The choice's and the report's slope on the strength.</summary>
    public static InterventionRow Slopes(string test, string model, string layer, List<Effect> effects, ulong seed)
    {
        string stream = $"{test}:{model}:dose_slope";
        var c = ScenarioBootstrap.Interval(effects, e => e.Scenario, es => ScenarioBootstrap.Slope(es.Select(e => (e.Strength, e.Choice)).ToList()), stream, seed);
        var r = ScenarioBootstrap.Interval(effects, e => e.Scenario, es => ScenarioBootstrap.Slope(es.Select(e => (e.Strength, e.Report)).ToList()), stream, seed);
        return new InterventionRow(test, model, layer, "all", "dose_slope", effects.Count, c.Estimate, c.Low, c.High, r.Estimate, r.Low, r.High);
    }

    static InterventionRow Single(string test, string model, string layer, string statistic, List<Effect> effects, ulong seed, Func<IReadOnlyList<Effect>, double> f)
    {
        var s = ScenarioBootstrap.Interval(effects, e => e.Scenario, f, $"{test}:{model}:{statistic}", seed);
        return new InterventionRow(test, model, layer, "all", statistic, effects.Count, double.NaN, double.NaN, double.NaN, s.Estimate, s.Low, s.High);
    }

    public static double GroundingRatio(IReadOnlyList<Effect> es) =>
        ScenarioBootstrap.Slope(es.Select(e => (e.Strength, e.Report)).ToList()) / ScenarioBootstrap.Slope(es.Select(e => (e.Strength, e.Choice)).ToList());

    public static double Pooled(IReadOnlyList<Effect> es) => ScenarioBootstrap.Slope(es.Select(e => (e.Choice, e.Report)).ToList());

    public static double BetweenSettings(IReadOnlyList<Effect> es) =>
        ScenarioBootstrap.Slope(es.GroupBy(e => e.Strength).Select(g => (g.Average(e => e.Choice), g.Average(e => e.Report))).ToList());

    public static double WithinSetting(IReadOnlyList<Effect> es) =>
        ScenarioBootstrap.Slope(es.GroupBy(e => e.Strength).SelectMany(g =>
        {
            double c = g.Average(e => e.Choice), r = g.Average(e => e.Report);
            return g.Select(e => (e.Choice - c, e.Report - r));
        }).ToList());
}
