using System.Text.Json;
using Microsoft.Playwright;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Analysis.Tests;
using SelfInterp.Analysis.Tests.Report;
using Xunit.Abstractions;

namespace SelfInterp.Report.BrowserTests;

/// <summary>A simulated paper-sized run and its copy in the authors' published layout, each analysed and reported.</summary>
public sealed class ReportRunsFixture : IDisposable
{
    public TempDirectory Root { get; } = new();
    public string RunDir { get; }
    public AnalysisSummary RunSummary { get; }
    public string PublishedDir { get; }
    public AnalysisSummary PublishedSummary { get; }

    public ReportRunsFixture()
    {
        RunDir = SimulatedPaperRun.CreateAsync(Path.Combine(Root.Path, "run")).GetAwaiter().GetResult();
        RunSummary = Analyzer.Analyze(RunDir);
        RunReport.Write(RunDir, RunSummary);
        PublishedDir = SimulatedPaperRun.CopyAsPublishedLayout(RunDir, Path.Combine(Root.Path, "published"));
        PublishedSummary = Analyzer.Analyze(PublishedDir);
        RunReport.Write(PublishedDir, PublishedSummary);
    }

    public void Dispose() => Root.Dispose();
}

public class ReportBrowserTests(ChromiumFixture chromium, ReportRunsFixture runs, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>, IClassFixture<ReportRunsFixture>
{
    private sealed record ChartMarks(string Id, int Points, int Bars, int ErrorBars, int Untitled, double Width);

    /// <summary>What each chart must show, from the analysis itself: a point per scenario × attribute pair, a bar per measure.</summary>
    private static Dictionary<string, (int Points, int Bars)> Expected(AnalysisSummary summary)
    {
        var m = summary.Models.Single();
        var expected = new Dictionary<string, (int, int)>();
        if (m.Instillation is { } inst) expected["m1-instillation"] = (inst.Pairs.Count, 0);
        foreach (var (key, s) in m.Reports.Named())
            if (s is not null && key is not ("itrained_first_half" or "itrained_second_half"))
                expected["m1-" + key.Replace('_', '-')] = (s.Pairs.Count, 0);
        expected["m1-slopes"] = (0, m.Reports.Named().Count(n => n.Statistics is { } s && double.IsFinite(s.Slope)));
        return expected;
    }

    private async Task<IPage> Open(string dir, List<string> requests)
    {
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.Request += (_, r) => requests.Add(r.Url);
        var response = await page.GotoAsync(new Uri(Path.Combine(dir, RunReport.HtmlFile)).AbsoluteUri);
        Assert.NotNull(response);
        Assert.True(response.Ok);
        return page;
    }

    private async Task CheckCharts(IPage page, AnalysisSummary summary)
    {
        var json = await page.EvaluateAsync<JsonElement>(PageChecks.Marks);
        var charts = json.Deserialize<List<ChartMarks>>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var expected = Expected(summary);
        Assert.Equal(expected.Keys.Order(), charts.Select(c => c.Id).Order());
        foreach (var c in charts)
        {
            Assert.Equal((c.Id, expected[c.Id].Points), (c.Id, c.Points));
            Assert.Equal((c.Id, expected[c.Id].Bars), (c.Id, c.Bars));
            Assert.Equal((c.Id, c.Bars), (c.Id, c.ErrorBars));
            Assert.Equal((c.Id, 0), (c.Id, c.Untitled));
            Assert.True(c.Width >= 300, $"{c.Id} is drawn {c.Width}px wide");
        }
        var problems = await page.EvaluateAsync<string[]>(PageChecks.Overflow);
        Assert.True(problems.Length == 0, "text does not fit:\n" + string.Join("\n", problems));
    }

    private async Task<string> Screenshot(IPage page, string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var slopes = Path.Combine(dir, name + "-slopes.png");
        await page.Locator("figure[data-figure='m1-slopes']").ScreenshotAsync(new LocatorScreenshotOptions { Path = slopes });
        var scatters = Path.Combine(dir, name + "-scatters.png");
        await page.Locator("#m1 .figure-grid").ScreenshotAsync(new LocatorScreenshotOptions { Path = scatters });
        var shots = new List<string> { path, slopes, scatters };
        if (await page.Locator("#m1 table.bad-examples").CountAsync() == 1)
        {
            shots.Add(Path.Combine(dir, name + "-bad-replies.png"));
            await page.Locator("#m1 table.bad-examples").ScreenshotAsync(new LocatorScreenshotOptions { Path = shots[^1] });
        }
        foreach (var p in shots) output.WriteLine($"screenshot: {p}");
        Console.WriteLine($"screenshot: {path}");
        Assert.True(new FileInfo(path).Length > 50_000, "the screenshot is nearly empty");
        return path;
    }

    [Fact]
    public async Task The_overflow_check_catches_text_outside_its_chart_and_overlapping_text()
    {
        var page = await chromium.Browser.NewPageAsync();
        await page.SetContentAsync("""
            <figure><svg class="chart" id="bad" viewBox="0 0 100 50" width="100" height="50" xmlns="http://www.w3.org/2000/svg">
              <text x="60" y="20" font-size="12">far too long for this chart</text><text x="62" y="22" font-size="12">overlap</text>
            </svg></figure>
            """);
        var problems = await page.EvaluateAsync<string[]>(PageChecks.Overflow);
        Assert.Contains(problems, p => p.StartsWith("bad: text \"far too long for this chart\""));
        Assert.Contains(problems, p => p.Contains("overlaps \"overlap\""));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Report_of_a_simulated_paper_run_shows_every_chart_and_nothing_overflows()
    {
        var requests = new List<string>();
        var page = await Open(runs.RunDir, requests);
        await CheckCharts(page, runs.RunSummary);
        Assert.Equal(18, await page.Locator("pre.reply").CountAsync()); // three bad replies for each of the six report stages
        Assert.Contains("simulated", await page.Locator("table.config").InnerTextAsync());
        await Screenshot(page, "paper-run");
        // A narrow window (a laptop split screen): the charts shrink with the page, and still nothing overflows.
        await page.SetViewportSizeAsync(700, 900);
        var narrow = await page.EvaluateAsync<string[]>(PageChecks.Overflow);
        Assert.True(narrow.Length == 0, "text does not fit in a 700px window:\n" + string.Join("\n", narrow));
        Assert.All(requests, u => Assert.StartsWith("file://", u));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Report_of_the_same_run_in_the_authors_layout_renders()
    {
        var requests = new List<string>();
        var page = await Open(runs.PublishedDir, requests);
        await CheckCharts(page, runs.PublishedSummary);
        Assert.Contains("no run.json", await page.Locator("#run").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await page.Locator("pre.reply").CountAsync());
        Assert.Equal(0, await page.Locator("table.config").CountAsync());
        await Screenshot(page, "published-layout");
        Assert.All(requests, u => Assert.StartsWith("file://", u));
        await page.CloseAsync();
    }
}
