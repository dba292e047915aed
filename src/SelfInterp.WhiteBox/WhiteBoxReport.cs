using System.Globalization;
using System.Text;
using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.WhiteBox;

/// <summary>whitebox.html (self-contained, inline SVG) and whitebox.md in the run directory, from whichever of
/// analysis/probes.csv, interventions.csv, wrapper.csv and reverse_ft.csv exist: probe accuracy by layer beside report
/// accuracy, one sentence per intervention test saying what the reports are grounded in, and the pruning curve beside
/// the reverse fine-tuning revival curves.</summary>
public static class WhiteBoxReport
{
    public const string HtmlFile = "whitebox.html", MarkdownFile = "whitebox.md";
    static readonly string[] ModelColours = [Palette.Grey, Palette.Orange, Palette.Blue];

    public static (string Html, string Markdown) Write(string runDirectory)
    {
        string analysis = Path.Combine(runDirectory, PaperLayout.AnalysisDirectory);
        var probes = ReadProbes(Path.Combine(analysis, ProbeStudy.FileName));
        var readout = ReadoutStudy.Read(Path.Combine(analysis, ReadoutStudy.FileName));
        var interventions = ReadInterventions(Path.Combine(analysis, InterventionStudy.FileName));
        var wrapper = WrapperStudy.Read(Path.Combine(analysis, WrapperStudy.FileName));
        var reverse = ReverseStudy.Read(Path.Combine(analysis, ReverseStudy.FileName));
        var md = new StringBuilder($"# White-box lab: {runDirectory}\n\nHow to read this: `docs/white-box.md` in the SelfInterp repository.\n");
        var html = new Markup();
        html.Open("html", ("lang", "en")).Open("head").Empty("meta", ("charset", "utf-8"))
            .Empty("meta", ("http-equiv", "Content-Security-Policy"), ("content", "default-src 'none'; style-src 'unsafe-inline'"))
            .Text("title", $"SelfInterp white-box lab: {runDirectory}").Close("head").NewLine();
        html.Open("body", ("style", "font-family: sans-serif; max-width: 60em; margin: auto")).Text("h1", $"White-box lab: {runDirectory}").NewLine();
        // Plain text, not a link: a relative link would point into the run directory, and the project has no web address.
        html.Text("p", "How to read this: docs/white-box.md in the SelfInterp repository.");
        foreach (var note in LabManifest.Load(analysis).ReducedNotes())
        {
            md.Append($"\n**{note}**\n");
            html.Text("p", note);
        }

        if (probes.Count > 0)
        {
            md.Append("\n## Probes\n\nRidge probes cross-validated by scenario folds; r between held-out predictions and the target, 95% scenario-bootstrap intervals. " +
                      "Layer `reply` is the model's own reports scored the same way. Nulls: the same probe refitted on targets shuffled across units, and on whole " +
                      "scenarios' targets exchanged between scenarios; each null's 95th percentile of r and the permutation p-value of r.\n\n" +
                      "| model | layer | site | target | units | r [95%] | slope [95%] | shuffled null 95th, p | scenario-permuted null 95th, p |\n|---|---|---|---|---|---|---|---|---|\n");
            foreach (var p in probes)
                md.Append($"| {p.Model} | {p.Layer} | {p.Site} | {p.Target} | {p.Units} | {F(p.R)} [{F(p.RLow)}, {F(p.RHigh)}] | {F(p.Slope)} [{F(p.SlopeLow)}, {F(p.SlopeHigh)}] | {Null(p.Shuffled)} | {Null(p.Permuted)} |\n");
            html.Text("h2", "Probes");
            foreach (var (site, target) in new[] { ("decision_name", "learned_weight"), ("report_name", "learned_weight"), ("decision_name", "instilled_target") })
                if (ProbeChart(probes, site, target) is { } chart) Figure(html, chart.Title, chart.ToSvg(), chart.Width);
        }
        if (readout.Count > 0)
        {
            md.Append("\n## Read-out direction against the probes\n\nThe report circuit's read-out direction (ridge regression of the mean reports on the report prompt's name " +
                      "representation) against the learned-weight probe's direction at the same hook point; nulls of |cosine|: random directions, and the read-out regression " +
                      "on shuffled reports (95th percentile, two-sided p). readout r: the reports predicted from the representation out of fold.\n\n" +
                      "| model | layer | against | units | readout r | cosine | random null 95th, p | shuffled null 95th, p |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var r in readout)
                md.Append($"| {r.Model} | {r.Layer} | {r.Against} | {r.Units} | {F(r.ReadoutR)} | {F(r.Cosine)} | {Null(r.Random)} | {Null(r.Shuffled)} |\n");
            html.Text("h2", "Read-out direction against the probes");
            foreach (var sentence in ReadoutSentences(readout)) html.Text("p", sentence);
        }
        if (interventions.Count > 0)
        {
            md.Append("\n## Interventions\n\n");
            html.Text("h2", "Interventions");
            foreach (var sentence in Sentences(interventions))
            {
                md.Append($"- {sentence}\n");
                html.Text("p", sentence);
            }
            html.Open("div", ("style", "display: flex; flex-wrap: wrap; gap: 1em"));
            foreach (var chart in InterventionCharts.All(interventions)) Figure(html, chart.Title, chart.ToSvg(), chart.Width);
            html.Close("div").NewLine();
            md.Append("\nEvery change is intervened − control on the same fresh trials (choice: the attribute's weight re-estimated from P(A), " +
                      "in weight points of the control's scale; report: the reported weight), mean over scenarios, 95% scenario-bootstrap interval.\n\n" +
                      "| test | model | layer | setting | statistic | units | choice Δ [95%] | report Δ or slope [95%] |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var r in interventions)
                md.Append($"| {r.Test} | {r.Model} | {r.Layer} | {r.Setting} | {r.Statistic} | {r.Units} | {F(r.Choice)} [{F(r.ChoiceLow)}, {F(r.ChoiceHigh)}] | {F(r.Report)} [{F(r.ReportLow)}, {F(r.ReportHigh)}] |\n");
        }
        if (wrapper.Count > 0)
        {
            md.Append("\n## Wrapper test (pruning)\n\nThe parameters instillation moved most (top share by |change|) reverted to the base model's values; " +
                      "r over the instilled scenarios' (scenario, attribute) pairs, 95% scenario-bootstrap intervals.\n\n" +
                      "| reverted share | parameters | measure | units | r [95%] |\n|---|---|---|---|---|\n");
            foreach (var r in wrapper)
                md.Append($"| {r.Reverted.ToString(CultureInfo.InvariantCulture)} | {r.Parameters} | {r.Measure} | {r.Units} | {F(r.R)} [{F(r.Low)}, {F(r.High)}] |\n");
            html.Text("h2", "Wrapper test (pruning)");
            foreach (var share in wrapper.Select(r => r.Reverted).Distinct())
            {
                string M(string measure) => wrapper.First(r => r.Reverted == share && r.Measure == measure) is var r ? $"{F(r.R)} [{F(r.Low)}, {F(r.High)}]" : "n/a";
                html.Text("p", $"Reverted {share:P0} of the moved parameters: choices vs instilled targets r {M("choices_vs_instilled_target")}, " +
                               $"vs the base model's choices {M("choices_vs_base_choices")}; reports vs choices {M("reports_vs_choices")}.");
            }
        }
        if (reverse.Count > 0)
        {
            md.Append("\n## Wrapper test (reverse fine-tuning)\n\nThe changed model fine-tuned back on the behaviour it replaced (choices: the instilled model on the base model's choices; " +
                      "reports: the itrained model on the instilled model's reports), beside a control with the instilled scenarios' names drawn afresh, on the same data with the same settings. " +
                      "r with the original model's weights over the instilled scenarios' (scenario, attribute) pairs; steps until r first reaches the fraction; 95% scenario-bootstrap intervals.\n\n");
            foreach (var line in ReverseStudy.Headline(reverse)) md.Append(line).Append('\n');
            md.Append("\n| direction | model | measure | step | units | value [95%] |\n|---|---|---|---|---|---|\n");
            foreach (var r in reverse)
                md.Append($"| {r.Direction} | {r.Model} | {r.Measure} | {(double.IsNaN(r.Step) ? "" : r.Step.ToString(CultureInfo.InvariantCulture))} | {r.Units} | {F(r.Value)} [{F(r.Low)}, {F(r.High)}] |\n");
            html.Text("h2", "Wrapper test (reverse fine-tuning)");
            foreach (var sentence in RevivalSentences(reverse)) html.Text("p", sentence);
        }
        if (wrapper.Count > 0 || reverse.Count > 0)
        {
            // The pruning curve and the revival curves side by side: two readings of the same question.
            html.Open("div", ("style", "display: flex; flex-wrap: wrap; gap: 1em"));
            if (wrapper.Count > 0 && PruningChart(wrapper) is var pruning) Figure(html, pruning.Title, pruning.ToSvg(), pruning.Width);
            foreach (var direction in reverse.Select(r => r.Direction).Distinct())
                if (RevivalChart(reverse, direction) is var revival) Figure(html, revival.Title, revival.ToSvg(), revival.Width);
            html.Close("div").NewLine();
        }
        html.Close("body").Close("html").NewLine();
        string htmlPath = Path.Combine(runDirectory, HtmlFile), mdPath = Path.Combine(runDirectory, MarkdownFile);
        AtomicFile.WriteAllText(htmlPath, "<!DOCTYPE html>\n" + html);
        AtomicFile.WriteAllText(mdPath, md.ToString());
        return (htmlPath, mdPath);
    }

    static readonly MarkerShape[] Shapes = [MarkerShape.Circle, MarkerShape.Triangle, MarkerShape.Square, MarkerShape.Diamond];
    static readonly string[] CurveColours = [Palette.Orange, Palette.Blue, Palette.BluishGreen, Palette.Vermillion];

    /// <summary>A chart with its title shown above it (an SVG's own title is only a tooltip).</summary>
    static void Figure(Markup html, string title, string svg, double width) =>
        html.Open("figure", ("style", $"margin: 0.5em 0; max-width: {Markup.Coordinate(width)}px")).Text("figcaption", title, ("style", "font-weight: bold; margin-bottom: 0.3em")).Raw(svg).Close("figure").NewLine();

    static ScatterChart PruningChart(List<WrapperRow> rows)
    {
        var series = rows.Select(r => r.Measure).Distinct().Select((measure, k) => new ScatterSeries(measure, CurveColours[k % CurveColours.Length], Shapes[k % Shapes.Length],
            rows.Where(r => r.Measure == measure).Select(r => new ScatterPoint(r.Reverted, r.R, $"{measure}, reverted {r.Reverted:P0}: r {F(r.R)} [{F(r.Low)}, {F(r.High)}]", r.Low, r.High)).ToList(),
            Connected: true)).ToList();
        return new ScatterChart("wrapper-pruning", "Pruning curve: r against the share of moved parameters reverted to the base model's values; 95% intervals",
            "share of moved parameters reverted", "r", series, [], XDomain: (0, 1), YDomain: (-1, 1), Width: 440);
    }

    static ScatterChart RevivalChart(List<ReverseRow> rows, string direction)
    {
        var curves = rows.Where(r => r.Direction == direction && r.Measure == "r_with_original" && !r.Model.EndsWith("_minus_control", StringComparison.Ordinal)).ToList();
        var series = curves.Select(r => r.Model).Distinct().Select((model, k) => new ScatterSeries(model, CurveColours[k % CurveColours.Length], Shapes[k % Shapes.Length],
            curves.Where(r => r.Model == model).Select(r => new ScatterPoint(r.Step, r.Value, $"{direction}, {model}, step {r.Step}: r {F(r.Value)} [{F(r.Low)}, {F(r.High)}]", r.Low, r.High)).ToList(),
            Connected: true)).ToList();
        double fraction = rows.FirstOrDefault(r => r.Direction == direction && r.Measure == "steps_to_revive")?.Fraction ?? double.NaN;
        var lines = double.IsFinite(fraction) ? new List<ChartLine> { new($"fraction {F(fraction)}", 0, fraction, Palette.Grey, true, $"the fraction of the original behaviour: r = {F(fraction)}") } : [];
        string original = direction == "choices" ? "the base model's choices" : "the instilled model's reports";
        return new ScatterChart($"revival-{direction}", $"Revival curve ({direction}): r with {original} against reverse fine-tuning step; 95% intervals",
            "optimizer steps", "r with the original", series, lines, YDomain: (-1, 1), Width: 440);
    }

    /// <summary>One sentence per direction: the steps each model took to reach the fraction.</summary>
    public static IEnumerable<string> RevivalSentences(List<ReverseRow> rows)
    {
        foreach (var direction in rows.Select(r => r.Direction).Distinct())
        {
            var reached = rows.Where(r => r.Direction == direction && r.Measure == "steps_to_revive").ToList();
            if (reached.Count == 0) continue;
            static string S(double v) => double.IsPositiveInfinity(v) ? "not reached" : $"{F(v)} steps";
            int last = (int)rows.Where(r => r.Direction == direction && r.Measure == "r_with_original").Max(r => r.Step);
            yield return $"Reverse fine-tuning ({direction}): r with the original reaches {F(reached[0].Fraction)} after " +
                         string.Join("; ", reached.Select(r => $"{r.Model}: {S(r.Value)} [{S(r.Low)}, {S(r.High)}]")) + $" (not reached: not within {last} steps).";
        }
    }

    /// <summary>Probe accuracy at each hook point, the models side by side under one label per hook point, then the
    /// reports; labels shortened (<see cref="ShortLayer"/>) so the organism's hook points fit the page's width (an organism
    /// with many layers gets upright labels and no values over the bars, rather than a chart wider than the page).</summary>
    public static IntervalChart? ProbeChart(List<ProbeRow> probes, string site, string target)
    {
        var models = probes.Select(p => p.Model).Distinct().ToList();
        var layers = probes.Where(p => p.Site != "report").Select(p => p.Layer).Distinct().ToList();
        var bars = probes.Where(p => p.Target == target && (p.Site == site || p.Site == "report"))
            .OrderBy(p => p.Site == "report" ? layers.Count : layers.IndexOf(p.Layer)).ThenBy(p => models.IndexOf(p.Model))
            .Select(p => new IntervalBar(p.Site == "report" ? "reports" : ShortLayer(p.Layer), p.R, p.RLow, p.RHigh,
                ModelColours[models.IndexOf(p.Model) % ModelColours.Length], p.Model,
                $"{p.Model}, {p.Layer}, {p.Site}: r {F(p.R)} [{F(p.RLow)}, {F(p.RHigh)}], {p.Units} units"))
            .ToList();
        if (bars.Count == 0) return null;
        return new IntervalChart($"probe-{site}-{target}",
            $"Probe accuracy against hook point: r of the {target.Replace('_', ' ')} read at the {site.Replace('_', ' ')}, beside the reports' r; 95% intervals",
            "r (held-out)", bars, Width: 900, Height: 420,
            XTitle: "hook point (embed: token embeddings; Lk mid/post: layer k's residual stream after attention/after the MLP) and the model's reports");
    }

    /// <summary>"hook_embed" → "embed", "blocks.3.hook_resid_mid" → "L3 mid"; anything else unchanged.</summary>
    public static string ShortLayer(string layer)
    {
        if (layer == "hook_embed") return "embed";
        var parts = layer.Split('.');
        return parts.Length == 3 && parts[0] == "blocks" && parts[2].StartsWith("hook_resid_", StringComparison.Ordinal)
            ? $"L{parts[1]} {parts[2]["hook_resid_".Length..]}" : layer;
    }

    /// <summary>One sentence per test and model, stating what the figures show.</summary>
    public static IEnumerable<string> Sentences(List<InterventionRow> rows)
    {
        foreach (var model in rows.Select(r => r.Model).Distinct())
        {
            InterventionRow? Steering(string statistic) => rows.FirstOrDefault(r => r.Model == model && r.Test == "steering" && r.Statistic == statistic);
            var (dose, ratio, pooled) = (Steering("dose_slope"), Steering("grounding_ratio"), Steering("report_on_choice_pooled"));
            var strongest = rows.Where(r => r.Model == model && r.Test == "steering" && r.Statistic == "mean_change").MaxBy(r => Math.Abs(r.Choice));
            if (dose is not null && ratio is not null && strongest is not null)
            {
                bool grounded = ratio.ReportLow > 0;
                yield return $"Steering ({model}, {ratio.Layer}, {strongest.Setting} probe points at one attribute's names): choice weight {F(strongest.Choice)} " +
                             $"[{F(strongest.ChoiceLow)}, {F(strongest.ChoiceHigh)}], report {F(strongest.Report)} [{F(strongest.ReportLow)}, {F(strongest.ReportHigh)}]. " +
                             $"Dose-response over every strength: choice {F(dose.Choice)} [{F(dose.ChoiceLow)}, {F(dose.ChoiceHigh)}] and report {F(dose.Report)} " +
                             $"[{F(dose.ReportLow)}, {F(dose.ReportHigh)}] weight points per point of strength; reports move {F(ratio.Report)} [{F(ratio.ReportLow)}, {F(ratio.ReportHigh)}] " +
                             "points per point the choices move — " +
                             (grounded ? "the reports read the name representation that drives the choices."
                              : ratio.ReportHigh < 0 ? "the reports move against the choices: they read the representation that drives the choices with the wrong sign."
                              : "no evidence that the reports read the representation that drives the choices.");
                if (pooled is not null)
                {
                    var (between, within) = (Steering("report_on_choice_between_settings"), Steering("report_on_choice_within_setting"));
                    bool agree = pooled.ReportLow <= ratio.Report && ratio.Report <= pooled.ReportHigh;
                    yield return $"Check ({model}): the pooled slope of report change on choice change over every (scenario, strength) is {F(pooled.Report)} " +
                                 $"[{F(pooled.ReportLow)}, {F(pooled.ReportHigh)}], " + (agree ? "whose interval holds the curve's ratio." :
                                 $"whose interval does not hold the curve's ratio {F(ratio.Report)}: across strengths (the curve's means) it is {F(between?.Report ?? double.NaN)}, " +
                                 $"across scenarios at one strength {F(within?.Report ?? double.NaN)}, a spread the dose did not set.");
                }
            }
            var decision = rows.Where(r => r.Model == model && r.Test == "decision_path_only").MaxBy(r => Math.Abs(r.Choice));
            if (decision is not null)
                yield return $"Decision path only ({model}, read-out {decision.Setting} at the answer of decisions): choice weight {F(decision.Choice)} (+ away from zero) " +
                             $"[{F(decision.ChoiceLow)}, {F(decision.ChoiceHigh)}], report {F(decision.Report)} [{F(decision.ReportLow)}, {F(decision.ReportHigh)}] — " +
                             (Math.Abs(decision.Report) < 1e-9 ? "reports do not read the decision's output." : "reports moved with the decision read-out.");
            var report = rows.Where(r => r.Model == model && r.Test == "report_path_only").MaxBy(r => Math.Abs(r.Report));
            if (report is not null)
                yield return $"Report path only ({model}, {report.Setting} probe points at names in report prompts): report {F(report.Report)} " +
                             $"[{F(report.ReportLow)}, {F(report.ReportHigh)}], choice weight {F(report.Choice)} [{F(report.ChoiceLow)}, {F(report.ChoiceHigh)}] — " +
                             (report.ReportLow > 0 || report.ReportHigh < 0 ? "the report read-out can be moved without the choices." : "reports did not move measurably.");
        }
    }

    static string F(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A null's 95th percentile and p-value, or "n/a" where none was drawn.</summary>
    static string Null(NullComparison n) => n.Draws > 0 ? $"{F(n.P95)}, p {n.P.ToString("0.000", CultureInfo.InvariantCulture)}" : "n/a";

    /// <summary>Per model, the read-out's cosine with the decision-name probe at the hook point where it is largest in size.</summary>
    public static IEnumerable<string> ReadoutSentences(List<ReadoutRow> rows)
    {
        foreach (var model in rows.Select(r => r.Model).Distinct())
        {
            var best = rows.Where(r => r.Model == model && r.Against == "decision_name_probe").MaxBy(r => Math.Abs(r.Cosine));
            if (best is null) continue;
            bool beyond = best.Shuffled.Draws > 0 && Math.Abs(best.Cosine) > best.Shuffled.P95 && Math.Abs(best.Cosine) > best.Random.P95;
            yield return $"Read-out ({model}): at {best.Layer} the reports' direction has cosine {F(best.Cosine)} with the decision-name probe's " +
                         $"(random null 95th {F(best.Random.P95)}, shuffled-report null 95th {F(best.Shuffled.P95)}; reports predicted out of fold at r {F(best.ReadoutR)}) — " +
                         (beyond ? (best.Cosine > 0 ? "the reports vary along the direction that codes the choices." : "the reports vary along that direction with the wrong sign.")
                                 : "no evidence that the reports vary along the direction that codes the choices.");
        }
    }

    static double D(CsvRow row, string column) => row.TryDouble(column, out var v) ? v : double.NaN;

    public static List<ProbeRow> ReadProbes(string path)
    {
        if (!File.Exists(path)) return [];
        var table = CsvTable.Read(path);
        table.RequireColumns(ProbeStudy.Columns);
        bool nulls = ProbeStudy.NullColumns.All(table.HasColumn);
        return table.Rows.Select(r => new ProbeRow(r["model"], r["layer"], r["site"], r["target"], r.Int("units"),
            D(r, "r"), D(r, "r_low"), D(r, "r_high"), D(r, "slope"), D(r, "slope_low"), D(r, "slope_high"))
        {
            Shuffled = nulls ? new NullComparison(D(r, "null_shuffled_p95"), D(r, "p_shuffled"), r.Int("null_draws")) : NullComparison.None,
            Permuted = nulls ? new NullComparison(D(r, "null_permuted_p95"), D(r, "p_permuted"), r.Int("null_draws")) : NullComparison.None,
        }).ToList();
    }

    public static List<InterventionRow> ReadInterventions(string path)
    {
        if (!File.Exists(path)) return [];
        var table = CsvTable.Read(path);
        table.RequireColumns(InterventionStudy.Columns);
        return table.Rows.Select(r => new InterventionRow(r["test"], r["model"], r["layer"], r["setting"], r["statistic"], r.Int("units"),
            D(r, "choice"), D(r, "choice_low"), D(r, "choice_high"), D(r, "report"), D(r, "report_low"), D(r, "report_high"))).ToList();
    }
}
