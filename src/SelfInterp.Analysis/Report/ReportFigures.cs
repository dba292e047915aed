using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Analysis.Report;

/// <summary>A chart of the report: its id (also the svg's id), heading, caption, kind, and the number of points or bars drawn.</summary>
public sealed record Figure(string Id, string Heading, string Caption, string Kind, int Marks, string Svg);

/// <summary>
/// The figures of one base model: the slopes of all measures side by side, learned vs target weights, and one
/// scatter per report measure (the two held-out halves share one, with the pooled fit).
/// </summary>
public static class ReportFigures
{
    public static List<Figure> For(ModelAnalysis model, string idPrefix, ScenarioNames names)
    {
        var figures = new List<Figure>();
        if (model.Instillation is { } inst) figures.Add(Instillation(inst, idPrefix, names));
        // One square z-score domain for every report scatter, so they compare at a glance and slope 1 is the diagonal.
        double zMax = model.Reports.Named().Where(n => n.Statistics is not null).SelectMany(n => n.Statistics!.Pairs)
            .SelectMany(p => new[] { Math.Abs(p.ZReport), Math.Abs(p.ZLearned) }).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        foreach (var (key, statistics) in model.Reports.Named())
        {
            if (statistics is null || key is "itrained_first_half" or "itrained_second_half") continue;
            var series = key == "itrained_held_out"
                ? HalfSeries(model.Reports, names)
                : [Series($"scenario × attribute pairs, n = {statistics.N}", Palette.Blue, MarkerShape.Circle, statistics, names)];
            figures.Add(ConditionScatter(key, statistics, series, idPrefix, zMax));
        }
        figures.Insert(0, Slopes(model, idPrefix)); // the paper's main figure leads
        return figures;
    }

    private static Figure Instillation(InstillationStatistics inst, string idPrefix, ScenarioNames names)
    {
        var points = inst.Pairs.Select(p => new ScatterPoint(p.Target, p.Learned,
            $"scenario {p.Scenario} · {names.Attribute(p.Scenario, p.Attribute)}\ntarget {F(p.Target, 0)}, learned {F(p.Learned, 0)}")).ToList();
        var chart = new ScatterChart($"{idPrefix}-instillation", $"Learned vs target weights (r = {F(inst.R)})",
            "target (instilled) weight", "learned weight",
            [new ScatterSeries($"scenario × attribute, r = {F(inst.R)}", Palette.Blue, MarkerShape.Circle, points)],
            [new ChartLine("learned = target", 1, 0, Palette.Grey, true, "identity: learned = target")],
            XDomain: (-100, 100), YDomain: (-100, 100));
        return new Figure(chart.Id, $"Learned vs target weights: r = {F(inst.R)}",
            $"Instillation: learned against target weights, {inst.Pairs.Count} scenario × attribute pairs of {inst.Scenarios} scenarios; r = {F(inst.R)} " +
            $"(paper: GPT-4o {F(ConditionInfo.PaperInstillationGpt4o)}, GPT-4o-mini {F(ConditionInfo.PaperInstillationGpt4oMini)}).",
            "scatter", points.Count, chart.ToSvg());
    }

    private static List<ScatterSeries> HalfSeries(ReportStatistics reports, ScenarioNames names)
    {
        var list = new List<ScatterSeries>();
        if (reports.ItrainedFirstHalf is { } first)
            list.Add(Series($"1st-half model, r {F(first.R)}", Palette.Orange, MarkerShape.Triangle, first, names));
        if (reports.ItrainedSecondHalf is { } second)
            list.Add(Series($"2nd-half model, r {F(second.R)}", Palette.Blue, MarkerShape.Circle, second, names));
        return list;
    }

    private static ScatterSeries Series(string name, string colour, MarkerShape shape, ConditionStatistics c, ScenarioNames names) =>
        new(name, colour, shape, c.Pairs.Select(p => new ScatterPoint(p.ZReport, p.ZLearned,
            $"scenario {p.Scenario} · {names.Attribute(p.Scenario, p.Attribute)}\n" +
            $"mean report {F(p.MeanReport, 1)} (z {F(p.ZReport)})\nlearned {F(p.Learned, 0)} (z {F(p.ZLearned)})")).ToList());

    private static Figure ConditionScatter(string key, ConditionStatistics c, List<ScatterSeries> series, string idPrefix, double zMax)
    {
        var info = ConditionInfo.Of(key);
        // OLS passes through the means, so the intercept follows from the slope and the pairs.
        double meanX = c.Pairs.Count == 0 ? double.NaN : c.Pairs.Average(p => p.ZReport);
        double meanY = c.Pairs.Count == 0 ? double.NaN : c.Pairs.Average(p => p.ZLearned);
        double intercept = meanY - c.Slope * meanX;
        var fit = $"fit: slope {F(c.Slope)} [{F(c.Low)}, {F(c.High)}]";
        var chart = new ScatterChart($"{idPrefix}-{key.Replace('_', '-')}", $"{Capital(info.Label)}: learned weight vs mean report (z-scores)",
            "mean report (z-score)", "learned weight (z-score)", series,
            double.IsFinite(c.Slope)
                ? [new ChartLine(fit, c.Slope, intercept, Palette.Vermillion, false,
                    $"z(learned) = {F(intercept)} + {F(c.Slope)} · z(report); slope 95% interval [{F(c.Low)}, {F(c.High)}]; r {F(c.R)}; n {c.N}",
                    c.Pairs.Min(p => p.ZReport), c.Pairs.Max(p => p.ZReport))]
                : [],
            XDomain: (-zMax, zMax), YDomain: (-zMax, zMax));
        return new Figure(chart.Id, $"{Capital(info.Label)}: slope {F(c.Slope)}, r = {F(c.R)}",
            $"{Capital(info.Label)}: {info.Description}. Slope {F(c.Slope)} [{F(c.Low)}, {F(c.High)}], r = {F(c.R)}, n = {c.N} pairs; " +
            $"{c.BadReports} bad reports left out.",
            "scatter", series.Sum(s => s.Points.Count(p => double.IsFinite(p.X) && double.IsFinite(p.Y))), chart.ToSvg());
    }

    private static Figure Slopes(ModelAnalysis model, string idPrefix)
    {
        var byKey = model.Reports.Named().ToDictionary(n => n.Key, n => n.Statistics);
        var bars = ConditionInfo.All.Where(c => byKey[c.Key] is not null).Select(c =>
        {
            var s = byKey[c.Key]!;
            var paper = c.PaperGpt4o is { } a && c.PaperGpt4oMini is { } b ? $"\npaper: GPT-4o {F(a)}, GPT-4o-mini {F(b)}" : "";
            var references = c.PaperGpt4o is { } g && c.PaperGpt4oMini is { } h
                ? new[] { new ReferenceMark("paper, GPT-4o", g, MarkerShape.Diamond), new ReferenceMark("paper, GPT-4o-mini", h, MarkerShape.Square) }
                : null;
            return new IntervalBar(c.Label, s.Slope, s.Low, s.High, c.Colour, c.Group,
                $"{c.Label}: slope {F(s.Slope)}, 95% interval [{F(s.Low)}, {F(s.High)}]\nr {F(s.R)}, n {s.N} pairs, {s.BadReports} bad reports{paper}",
                references);
        }).ToList();
        var chart = new IntervalChart($"{idPrefix}-slopes", "Report accuracy by condition: slope of z(learned) on z(mean report), 95% intervals",
            "slope (z learned on z report)", bars);
        return new Figure(chart.Id, "Report accuracy by condition",
            "Report accuracy in every condition: the slope of z(learned weight) on z(mean report) with its 95% interval " +
            "(the paper's main figure); hollow markers: the paper's GPT-4o and GPT-4o-mini. Hover a bar for r and n.",
            "intervals", bars.Count(b => double.IsFinite(b.Estimate) && double.IsFinite(b.Low) && double.IsFinite(b.High)), chart.ToSvg());
    }

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    public static string F(double v, int decimals = 2) => NiceTicks.Format(v, decimals);
}
