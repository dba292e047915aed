using SelfInterp.Experiments.Preferences;
using System.ClientModel;
using System.Diagnostics;
using OpenAI;
using OpenAI.Chat;
using SelfInterp.Core.Runs;
using Xunit.Abstractions;

namespace SelfInterp.Server.Tests;

/// <summary>
/// A bounded load test on loopback: N chat completions (decision prompts with logprobs), C in flight, sent by
/// the official SDK. Prints requests/s and latency percentiles; asserts only that every request succeeded.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Requests = 200, Concurrency = 16;

    [Fact]
    public async Task Concurrent_chat_completions()
    {
        await using var harness = await ServerHarness.StartAsync();
        var plan = PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 20, Native = 2 }));
        var rng = Core.Random.SeededStream.Derive(5, "load");
        var prompts = Enumerable.Range(0, Requests).Select(k => plan.DecisionPrompt(plan.DrawTrial(k % 20, rng))).ToList();
        var chat = new OpenAIClient(new ApiKeyCredential(ServerHarness.ServerKey), new OpenAIClientOptions { Endpoint = harness.Server.BaseUrl })
            .GetChatClient("simulated-base");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 };

        // Warm-up: JIT and connection setup are not what we measure.
        await chat.CompleteChatAsync([new UserChatMessage(prompts[0].Messages[^1].Content)], options);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var gate = new SemaphoreSlim(Concurrency);
        var latencies = new double[Requests];
        var answers = new string[Requests];
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(prompts.Select(async (prompt, i) =>
        {
            await gate.WaitAsync(timeout.Token);
            try
            {
                var clock = Stopwatch.StartNew();
                var messages = prompt.Messages.Select(m => m.Role == "system" ? (ChatMessage)new SystemChatMessage(m.Content) : new UserChatMessage(m.Content));
                var completion = (await chat.CompleteChatAsync(messages, options, timeout.Token)).Value;
                latencies[i] = clock.Elapsed.TotalMilliseconds;
                answers[i] = completion.Content[0].Text;
            }
            finally { gate.Release(); }
        }));
        wall.Stop();

        Assert.All(answers, a => Assert.Contains(a, new[] { "A", "B" }));
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(Requests - 1, (int)Math.Ceiling(q * Requests) - 1)];
        output.WriteLine($"{Requests} chat completions, {Concurrency} concurrent, loopback: {Requests / wall.Elapsed.TotalSeconds:F0} requests/s, " +
                         $"p50 {P(0.50):F2} ms, p99 {P(0.99):F2} ms, max {latencies[^1]:F2} ms (wall {wall.Elapsed.TotalMilliseconds:F0} ms)");
    }
}
