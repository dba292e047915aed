using Microsoft.Playwright;
using SelfInterp.WhiteBox.Tests;
using Xunit.Abstractions;

namespace SelfInterp.Report.BrowserTests;

/// <summary>whitebox.html laid out by a real browser: at the shipped organism's hook points (two layers) and at
/// twelve layers, no text leaves its chart or overlaps another, and the page never scrolls sideways.</summary>
public class WhiteBoxBrowserTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    public async Task Whitebox_report_text_fits_and_nothing_overlaps(int layers)
    {
        string html = SampleWhiteBoxRun.Write(layers, [-50, -25, 25, 50], [0, 0.5, 2]);
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var response = await page.GotoAsync(new Uri(html).AbsoluteUri);
        Assert.True(response?.Ok);
        Assert.Equal(3 + 3 + 3, await page.Locator("figure svg.chart").CountAsync());
        var problems = await page.EvaluateAsync<string[]>(PageChecks.Overflow);
        Assert.True(problems.Length == 0, "text does not fit:\n" + string.Join("\n", problems));
        string shot = Path.Combine(AppContext.BaseDirectory, "screenshots", $"whitebox-{layers}-layers.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");
        await page.CloseAsync();
    }
}
