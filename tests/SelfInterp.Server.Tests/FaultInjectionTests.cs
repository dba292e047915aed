using System.Net;
using System.Text.Json;

namespace SelfInterp.Server.Tests;

/// <summary>--fail-rate answers a seeded share of requests with 429 or 500 in OpenAI's error shape.</summary>
public sealed class FaultInjectionTests
{
    private static async Task<List<HttpStatusCode>> Statuses(int count)
    {
        await using var harness = await ServerHarness.StartAsync(failRate: 0.5);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < count; i++)
        {
            var response = await harness.Http.GetAsync("models");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK) continue;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var code = doc.RootElement.GetProperty("error").GetProperty("code");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) Assert.Equal("rate_limit_exceeded", code.GetString());
            else Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        return statuses;
    }

    [Fact]
    public async Task Faults_are_429s_and_500s_drawn_from_a_seeded_stream()
    {
        var first = await Statuses(60);
        Assert.Contains(HttpStatusCode.OK, first);
        Assert.Contains(HttpStatusCode.TooManyRequests, first);
        Assert.Contains(HttpStatusCode.InternalServerError, first);
        Assert.InRange(first.Count(s => s != HttpStatusCode.OK), 15, 45);
        Assert.Equal(first, await Statuses(60)); // same seed, same sequence of faults
    }
}
