using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Experiments.Preferences;
using System.Text;
using System.Text.Json;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server.Tests;

/// <summary>
/// Issue 18, case 1 through the API: two jobs with the same suffix and seed on files whose answers are all flipped
/// got the same model, and suffixes st:ale and st_ale shared a directory. Now each job's model is named by its inputs.
/// </summary>
public sealed class ModelIdentityApiTests
{
    private static PreferencesPlan Plan => FineTuningApiTests.Plan;

    private static string Jsonl(bool flipped)
    {
        var rng = Core.Random.SeededStream.Derive(21, "identity_api");
        return string.Concat(Enumerable.Range(0, 40).Select(k =>
        {
            var trial = Plan.DrawTrial(k % 2, rng);
            bool a = Preferences.Generation.Utility.Choice(Plan.Scenario(k % 2), Plan.TargetWeights(k % 2), trial) == 'A';
            return ChatJsonl.Line(new TrainingExample(Plan.DecisionPrompt(trial), a ^ flipped ? "A" : "B")) + "\n";
        }));
    }

    private static Task<JsonElement> Send(HttpClient http, HttpMethod method, string path, HttpContent? content = null) =>
        FineTuningApiTests.Send(http, method, path, content);

    private static Task<string> Upload(HttpClient http, string jsonl) => FineTuningApiTests.Upload(http, jsonl);

    private static async Task<string> Train(HttpClient http, string file, string suffix)
    {
        var job = await Send(http, HttpMethod.Post, "fine_tuning/jobs", new StringContent(
            JsonSerializer.Serialize(new { model = "simulated-base", training_file = file, suffix, seed = 7 }), Encoding.UTF8, "application/json"));
        var id = job.GetProperty("id").GetString()!;
        for (int i = 0; i < 500; i++)
        {
            job = await Send(http, HttpMethod.Get, "fine_tuning/jobs/" + id);
            if (job.GetProperty("status").GetString() == "succeeded") return job.GetProperty("fine_tuned_model").GetString()!;
            Assert.NotEqual("failed", job.GetProperty("status").GetString());
            await Task.Delay(10);
        }
        throw new TimeoutException(id);
    }

    /// <summary>P(A) the model gives a fixed decision prompt of scenario 0.</summary>
    private static async Task<double> ProbabilityA(HttpClient http, string model)
    {
        var prompt = Plan.DecisionPrompt(Plan.DrawTrial(0, Core.Random.SeededStream.Derive(4, "probe")));
        var answer = await Send(http, HttpMethod.Post, "chat/completions", new StringContent(JsonSerializer.Serialize(new
        {
            model, max_tokens = 1, logprobs = true, top_logprobs = 2,
            messages = prompt.Messages.Select(m => new { role = m.Role, content = m.Content }),
        }), Encoding.UTF8, "application/json"));
        var top = answer.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content")[0].GetProperty("top_logprobs").EnumerateArray();
        return Math.Exp(top.First(t => t.GetProperty("token").GetString() == "A").GetProperty("logprob").GetDouble());
    }

    [Fact]
    public async Task Flipped_data_gives_another_model_and_the_same_data_the_same_one()
    {
        await using var harness = await ServerHarness.StartAsync();
        var http = harness.Http;
        string straight = await Train(http, await Upload(http, Jsonl(flipped: false)), "st:ale");
        string flipped = await Train(http, await Upload(http, Jsonl(flipped: true)), "st:ale");
        Assert.NotEqual(straight, flipped);
        double pStraight = await ProbabilityA(http, straight), pFlipped = await ProbabilityA(http, flipped);
        Assert.True(Math.Abs(pStraight - pFlipped) > 0.2, $"P(A) {pStraight} vs {pFlipped}: flipped answers must give other weights");

        // The same bytes uploaded again, same suffix and seed: the same model.
        Assert.Equal(straight, await Train(http, await Upload(http, Jsonl(flipped: false)), "st:ale"));
        // A suffix that differs only in a character unsafe for paths: its own model and file.
        string underscore = await Train(http, await Upload(http, Jsonl(flipped: false)), "st_ale");
        Assert.NotEqual(straight, underscore);
        Assert.NotEqual(FineTunedModelId.DirectoryName(straight), FineTunedModelId.DirectoryName(underscore));

        var models = await Send(http, HttpMethod.Get, "models");
        Assert.Equal(4, models.GetProperty("data").GetArrayLength()); // base + three distinct models
    }
}
