using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Report;

/// <summary>
/// report.html: one self-contained page (inline CSS and SVG, no scripts, no fonts or images from anywhere, and a
/// Content-Security-Policy that forbids fetching any), so it opens the same offline, in a mail, or in an archive.
/// </summary>
public static class HtmlReport
{
    public static string Render(ReportContent content)
    {
        var doc = new Markup();
        doc.Open("html", ("lang", "en")).NewLine();
        doc.Open("head").NewLine();
        doc.Empty("meta", ("charset", "utf-8"));
        doc.Empty("meta", ("name", "viewport"), ("content", "width=device-width, initial-scale=1"));
        doc.Empty("meta", ("http-equiv", "Content-Security-Policy"), ("content", "default-src 'none'; style-src 'unsafe-inline'"));
        doc.Text("title", $"SelfInterp report: {content.Run.Directory}");
        // Raw: <style> is raw text in HTML, where entities would not be decoded; the CSS is our own constant.
        doc.Open("style").Raw(Css).Close("style").NewLine();
        doc.Close("head").NewLine();
        doc.Open("body").Open("main").NewLine();

        doc.Text("h1", $"SelfInterp report: {content.Run.Directory}");
        var (banner, run) = ReportText.Opening(content.Run.Manifest);
        if (banner is not null) doc.Open("p", ("class", "banner")).Content(banner).Close("p").NewLine();
        if (run is not null) doc.Open("p", ("class", "runline")).Content(run).Close("p").NewLine();
        doc.Open("p", ("class", "lede"))
            .Content($"Base model{(content.Models.Count == 1 ? "" : "s")}: {string.Join(", ", content.Models.Select(m => m.Analysis.BaseModel))}. " +
                     $"Made by selfinterp {VersionInfo.Current} from the files in this directory. " +
                     "Hover any point, bar or line for its numbers.")
            .Close("p").NewLine();
        Contents(doc, content);
        // Results first (each model's condition chart and measures), then what was run and its files.
        foreach (var m in content.Models) ModelSection(doc, m);
        foreach (var section in content.Sections) ExperimentSection(doc, section);
        RunSection(doc, content);
        WarningsSection(doc, "warnings", "Warnings for the whole run", content.Warnings);
        doc.Close("main").Close("body").Close("html").NewLine();
        return "<!DOCTYPE html>\n" + doc;
    }

    private static void Contents(Markup doc, ReportContent content)
    {
        doc.Open("nav", ("aria-label", "contents")).Open("ul");
        foreach (var m in content.Models) Link(doc, "#" + m.Id, $"Base model {m.Analysis.BaseModel}");
        foreach (var section in content.Sections) Link(doc, "#" + section.Id, section.Heading);
        Link(doc, "#run", "What was run");
        Link(doc, "#warnings", $"Warnings ({content.Warnings.Count + content.Models.Sum(m => m.Warnings.Count)})");
        doc.Close("ul").Close("nav").NewLine();
    }

    private static void Link(Markup doc, string href, string text) =>
        doc.Open("li").Text("a", text, ("href", href)).Close("li");

    private static void RunSection(Markup doc, ReportContent content)
    {
        doc.Open("section", ("id", "run")).Text("h2", "What was run").NewLine();
        if (content.Run.Manifest is { } manifest)
        {
            doc.Open("div", ("class", "columns"));
            Column(doc, "Configuration (run.json)", ["setting", "value"], ReportText.ConfigRows(manifest), "config");
            Column(doc, "Seeds", ["stream", "seed"], ReportText.SeedRows(manifest.Config.Seeds), "seeds");
            Column(doc, "Stages", ReportText.StageHeader, ReportText.StageRows(manifest), "stages");
            doc.Close("div").NewLine();
            doc.Text("h3", "Models");
            Table(doc, ReportText.ModelHeader, ReportText.ModelRows(manifest), "models");
        }
        else
        {
            doc.Text("p", content.Run.ManifestProblem is null
                ? "This directory has no run.json: it is in the authors' published data layout (or a copy of a run without its manifest). " +
                  "Backend, seeds, sizes and timings are unknown; what the data files show is below."
                : "run.json could not be read (see the warnings); what the data files show is below.", ("class", "note"));
        }
        doc.Text("h3", "Data files");
        Table(doc, ReportText.FileHeader, ReportText.FileRows(content.Run), "files");
        doc.Close("section").NewLine();
    }

    private static void ExperimentSection(Markup doc, ReportSection section)
    {
        doc.Open("section", ("id", section.Id)).Text("h2", section.Heading).NewLine();
        doc.Text("p", section.Text, ("class", "note"));
        Table(doc, section.Header, section.Rows, section.Id);
        doc.Close("section").NewLine();
    }

    private static void Column(Markup doc, string title, IReadOnlyList<string> header, IEnumerable<string[]> rows, string cssClass)
    {
        doc.Open("div");
        doc.Text("h3", title);
        Table(doc, header, rows, cssClass);
        doc.Close("div");
    }

    private static void ModelSection(Markup doc, ModelReport m)
    {
        doc.Open("section", ("id", m.Id), ("class", "model")).Text("h2", $"Base model: {m.Analysis.BaseModel}").NewLine();
        // The main figure first and full width, then the measures, then the scatters in a grid.
        var slopes = m.Figures.Where(f => f.Kind == "intervals").ToList();
        foreach (var f in slopes) FigureElement(doc, f, "wide");
        doc.Text("h3", "Measures");
        Table(doc, ReportText.MeasureHeader, ReportText.MeasureRows(m.Analysis), "measures");
        doc.Text("p", ReportText.LearnedNote(m.Analysis), ("class", "note"));

        doc.Text("h3", "Figures");
        doc.Open("div", ("class", "figure-grid"));
        foreach (var f in m.Figures.Except(slopes)) FigureElement(doc, f, "cell");
        doc.Close("div").NewLine();

        doc.Text("h3", "Bad reports");
        if (m.BadReplies is { } bad)
        {
            Table(doc, ReportText.BadHeader, ReportText.BadRows(m), "bad-reports");
            var examples = bad.SelectMany(b => b.Examples.Select(e => (Sample: b, Example: e))).ToList();
            if (examples.Count > 0)
            {
                doc.Text("h4", $"Examples: the first {BadReplies.ExamplesPerCondition} bad replies of each measure");
                doc.Open("div", ("class", "table-wrap")).Open("table", ("class", "bad-examples")).Open("thead").Open("tr");
                foreach (var h in new[] { "measure", "reply", "scenario", "problem", "raw reply" }) doc.Text("th", h, ("scope", "col"));
                doc.Close("tr").Close("thead").Open("tbody");
                foreach (var (sample, e) in examples)
                {
                    doc.Open("tr");
                    doc.Text("th", ConditionInfo.Of(sample.ConditionKey).Label, ("scope", "row"));
                    doc.Text("td", $"{sample.RepliesFile} #{e.Index}");
                    doc.Text("td", e.Scenario?.ToString() ?? "");
                    doc.Text("td", e.Problem);
                    doc.Open("td").Text("pre", e.Text, ("class", "reply")).Close("td");
                    doc.Close("tr");
                }
                doc.Close("tbody").Close("table").Close("div").NewLine();
            }
        }
        else
        {
            doc.Text("p", "No raw replies (replies/*.jsonl) for this model, so no examples; counts from the report files:", ("class", "note"));
            Table(doc, ["measure", "bad reports"], ReportText.BadCountRows(m.Analysis), "bad-reports");
        }
        WarningsSection(doc, null, "Warnings", m.Warnings);
        doc.Close("section").NewLine();
    }

    private static void FigureElement(Markup doc, Figure f, string layout)
    {
        doc.Open("figure", ("class", $"figure {layout}"), ("data-figure", f.Id), ("data-kind", f.Kind), ("data-marks", f.Marks.ToString()));
        doc.Text("h4", f.Heading, ("class", "figure-title"));
        doc.Raw(f.Svg);
        doc.Text("figcaption", f.Caption);
        doc.Close("figure").NewLine();
    }

    private static void WarningsSection(Markup doc, string? id, string title, IReadOnlyList<string> warnings)
    {
        if (id is null) doc.Open("div", ("class", "warnings"));
        else doc.Open("section", ("id", id), ("class", "warnings"));
        doc.Text(id is null ? "h3" : "h2", title);
        if (warnings.Count == 0) doc.Text("p", "None.", ("class", "note"));
        else
        {
            doc.Open("ul");
            foreach (var w in warnings) doc.Text("li", w);
            doc.Close("ul");
        }
        doc.Close(id is null ? "div" : "section").NewLine();
    }

    private static void Table(Markup doc, IReadOnlyList<string> header, IEnumerable<string[]> rows, string cssClass)
    {
        doc.Open("div", ("class", "table-wrap")).Open("table", ("class", cssClass)).Open("thead").Open("tr");
        foreach (var h in header) doc.Text("th", h, ("scope", "col"));
        doc.Close("tr").Close("thead").Open("tbody");
        foreach (var row in rows)
        {
            doc.Open("tr");
            for (int i = 0; i < row.Length; i++)
                if (i == 0) doc.Text("th", row[i], ("scope", "row"));
                else doc.Text("td", row[i]);
            doc.Close("tr");
        }
        doc.Close("tbody").Close("table").Close("div").NewLine();
    }

    private const string Css = """
        :root { color-scheme: light; }
        body { margin: 0; background: #F7F7F5; color: #1A1A1A;
               font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Roboto, Arial, sans-serif; }
        main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 48px; }
        .banner { border: 2px solid #D55E00; padding: 0.4em 0.6em; font-weight: bold; }
        .runline { overflow-wrap: anywhere; }
        h1 { font-size: 1.6em; margin: 0.2em 0 0.3em; overflow-wrap: anywhere; }
        h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; border-bottom: 2px solid #D0D0D0; padding-bottom: 4px; overflow-wrap: anywhere; }
        h3 { font-size: 1.08em; margin: 1.3em 0 0.4em; }
        h4 { font-size: 1em; margin: 1em 0 0.3em; }
        .lede, .note { color: #333; }
        nav ul { display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; list-style: none; }
        a { color: #005A8E; }
        .table-wrap { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; background: #FFF; margin: 4px 0 8px; font-size: 0.92em; }
        th, td { border: 1px solid #D6D6D6; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; max-width: 36em; }
        thead th { background: #EDEDEA; }
        td { font-variant-numeric: tabular-nums; }
        table.measures td, table.stages td, table.bad-reports td, table.files td:nth-child(2) { text-align: right; white-space: nowrap; }
        table.measures td:nth-child(8) { white-space: normal; min-width: 6.5em; }
        .columns { display: flex; flex-wrap: wrap; gap: 0 32px; }
        figure { margin: 0; background: #FFF; border: 1px solid #D6D6D6; padding: 8px; box-sizing: border-box; }
        figure.wide { max-width: 800px; margin-bottom: 16px; }
        figure svg { display: block; max-width: 100%; height: auto; }
        h4.figure-title { margin: 0 0 4px; font-size: 1em; }
        figcaption { font-size: 0.88em; color: #333; margin-top: 6px; overflow-wrap: anywhere; }
        .figure-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(400px, 100%), 1fr)); gap: 16px; }
        .figure-grid figure svg { margin: 0 auto; }
        .chart .point:hover { fill-opacity: 1; stroke-width: 2; }
        .chart .bar:hover { opacity: 0.8; }
        table.bad-examples td:last-child { min-width: 24em; }
        pre.reply { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0;
                    font: 0.88em/1.4 ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
        .warnings ul { padding-left: 1.2em; }
        .warnings li { overflow-wrap: anywhere; }
        """;
}
