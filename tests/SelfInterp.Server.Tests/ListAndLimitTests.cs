using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Experiments.Preferences;
using System.Net;
using System.Text;
using System.Text.Json;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>Issue 18, case 5: the list endpoints (they answered 404) and a max_tokens near int.MaxValue (it gave a 500).</summary>
public sealed class ListAndLimitTests
{
    private static PreferencesPlan Plan => FineTuningApiTests.Plan;

    private static Task<JsonElement> Get(HttpClient http, string path) => FineTuningApiTests.Send(http, HttpMethod.Get, path);

    private static Task<string> Upload(HttpClient http, int answers)
    {
        var rng = Core.Random.SeededStream.Derive((ulong)answers, "list");
        var jsonl = string.Concat(Enumerable.Range(0, 6).Select(k =>
            ChatJsonl.Line(new Core.Backends.TrainingExample(Plan.DecisionPrompt(Plan.DrawTrial(k % 2, rng)), (k + answers) % 2 == 0 ? "A" : "B")) + "\n"));
        return FineTuningApiTests.Upload(http, jsonl);
    }

    private static string[] Ids(JsonElement list) =>
        [.. list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Files_and_jobs_are_listed_newest_first_with_paging()
    {
        await using var harness = await ServerHarness.StartAsync();
        Assert.Empty(Ids(await Get(harness.Http, "files")));
        Assert.Empty(Ids(await Get(harness.Http, "fine_tuning/jobs")));

        var files = new List<string>();
        for (int i = 0; i < 3; i++) files.Add(await Upload(harness.Http, i));
        var list = await Get(harness.Http, "files");
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Equal(Enumerable.Reverse(files), Ids(list));
        Assert.Equal(files, Ids(await Get(harness.Http, "files?order=asc")));
        Assert.Empty(Ids(await Get(harness.Http, "files?purpose=assistants")));
        Assert.Equal(HttpStatusCode.BadRequest, (await harness.Http.GetAsync("files?order=sideways")).StatusCode);

        var jobs = new List<string>();
        foreach (var f in files)
        {
            var created = await harness.Http.PostAsync("fine_tuning/jobs", new StringContent(
                $"{{\"model\": \"simulated-base\", \"training_file\": \"{f}\", \"suffix\": \"list\", \"seed\": 3}}", Encoding.UTF8, "application/json"));
            jobs.Add(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        }
        var first = await Get(harness.Http, "fine_tuning/jobs?limit=2");
        Assert.Equal([jobs[2], jobs[1]], Ids(first));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.All(first.GetProperty("data").EnumerateArray(), j => Assert.Equal("fine_tuning.job", j.GetProperty("object").GetString()));
        var rest = await Get(harness.Http, $"fine_tuning/jobs?limit=2&after={jobs[1]}");
        Assert.Equal([jobs[0]], Ids(rest));
        Assert.False(rest.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(ChatCompletionRequest.MaxCompletionTokens + 1)]
    public async Task A_huge_max_tokens_is_a_400_naming_the_field(int maxTokens)
    {
        await using var harness = await ServerHarness.StartAsync();
        var response = await harness.Http.PostAsync("chat/completions", new StringContent(
            $"{{\"model\": \"simulated-base\", \"max_tokens\": {maxTokens}, \"messages\": [{{\"role\": \"user\", \"content\": \"hi\"}}]}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("max_tokens", error.GetProperty("param").GetString());
    }
}
