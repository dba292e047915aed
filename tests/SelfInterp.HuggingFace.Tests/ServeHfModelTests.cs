using System.Net.Http.Json;
using System.Text.Json;
using SelfInterp.Backends;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Backends.HuggingFace;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.Experiments;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Server;
using SelfInterp.Engine.Decoding;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>`serve --base-model hf:DIR+adapter:DIR` as the CLI sets it up: a decision prompt gets A/B log-probabilities
/// equal to the model's own next-token distribution over the chat-formatted prompt; another prompt a greedy reply.</summary>
public sealed class ServeHfModelTests
{
    static readonly PreferencesPlan Plan = PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 2, Native = 2 }));

    [Fact]
    public async Task ChatCompletionHasTheModelsLogProbabilities()
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied with { MaxPositions = 2048 });
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        var options = new Dictionary<string, string>();
        var config = new RunConfig { Backend = "local", BaseModel = ShippedOrganisms.Resolve($"hf:{dir["hf"]}", options) };
        Assert.Equal($"hf:{Path.GetFullPath(dir["hf"])}", config.BaseModel);
        var catalog = ScenarioCatalog.Load(null);
        var codec = new PreferencesCodec(catalog, PromptTemplates.Default);
        var backend = Assert.IsType<HfBackend>(BackendFactory.Create(config, catalog, codec, dir["models"], modelsDirectory: dir["models"]));
        Directory.CreateDirectory(dir["models"]);
        await using var server = await SelfInterpServer.StartAsync(new ServerOptions(dir["models"], config.BaseModel, Port: 0, Seed: 7), backend, DecisionPrompts.Classifier(codec));
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        var prompt = Plan.DecisionPrompt(Plan.DrawTrial(0, Core.Random.SeededStream.Derive(4, "hf-serve")));
        var answer = await Post(http, new
        {
            model = config.BaseModel, max_tokens = 1, logprobs = true, top_logprobs = 2,
            messages = prompt.Messages.Select(m => new { role = m.Role, content = m.Content }),
        });
        var choice = answer.GetProperty("choices")[0];
        var top = choice.GetProperty("logprobs").GetProperty("content")[0].GetProperty("top_logprobs").EnumerateArray()
            .ToDictionary(t => t.GetProperty("token").GetString()!, t => t.GetProperty("logprob").GetDouble());

        // The same probability from the model directly: softmax of the next-token logits after the chat-formatted prompt.
        var hf = HfModel.Load(HfModelSpec.Parse(config.BaseModel));
        var tokens = hf.Chat.Encode(prompt.Messages.Select(m => new Engine.HuggingFace.ChatMessage(m.Role, m.Content)).ToList(), addGenerationPrompt: true);
        Assert.Equal(hf.Tokenizer.AddedTokens["<|im_start|>"], tokens[0]);
        var logits = new Inference(hf.Model).Logits(tokens);
        int v = hf.Model.Config.VocabSize, last = tokens.Length - 1;
        double la = logits[last * v + hf.Tokenizer.Encode("A")[0]], lb = logits[last * v + hf.Tokenizer.Encode("B")[0]];
        double expectedA = 1 / (1 + Math.Exp(lb - la));
        Assert.Equal(expectedA, Math.Exp(top["A"]), 5);
        Assert.Equal(1 - expectedA, Math.Exp(top["B"]), 5);
        Assert.Equal(la >= lb ? "A" : "B", choice.GetProperty("message").GetProperty("content").GetString());

        // Any other prompt: the greedy continuation, decoded.
        var chat = await Post(http, new { model = config.BaseModel, max_tokens = 6, messages = new[] { new { role = "user", content = "Which condo would you prefer?" } } });
        var expected = new Inference(hf.Model).Generate(hf.Chat.Encode([new("user", "Which condo would you prefer?")], true), 6, hf.Chat.StopTokens.ToList());
        Assert.Equal(hf.Tokenizer.Decode(expected.Where(t => !hf.Chat.StopTokens.Contains(t))), chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task FineTuningARealModelStopsForTheExternalRoute()
    {
        var backend = new HfBackend("hf:/nowhere", threads: 1);
        var request = new Core.Backends.FineTuneRequest("hf:/nowhere", "instilled", "train.jsonl", null, [], 1);
        var e = await Assert.ThrowsAsync<Core.Backends.FineTuneElsewhereException>(() => backend.FineTuneAsync(request, null, default));
        Assert.Contains("TRL", e.Message);
        Assert.Equal("instilled", Assert.Single(e.Pending).Key);
    }

    [Fact]
    public async Task ChoicesScoredTogetherEqualChoicesScoredAlone()
    {
        var fixture = new RandomHfModel(TinyModelSpec.LlamaScaled with { MaxPositions = 2048 });
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        var backend = new HfBackend($"hf:{dir["hf"]}", threads: 1);
        var rng = Core.Random.SeededStream.Derive(5, "hf-batch");
        var prompts = Enumerable.Range(0, 4).Select(k => Plan.DecisionPrompt(Plan.DrawTrial(k % 2, rng))).ToList();
        var together = await backend.ChooseAsync(backend.BaseModel, prompts, null, default);
        for (int k = 0; k < prompts.Count; k++)
        {
            var alone = (await backend.ChooseAsync(backend.BaseModel, [prompts[k]], null, default))[0];
            Assert.Equal(alone.Selection, together[k].Selection);
            Assert.Equal(alone.ProbabilityA!.Value, together[k].ProbabilityA!.Value, 6);
        }
        Assert.True(together.Select(c => c.ProbabilityA).Distinct().Count() > 1, "every prompt got the same probability");
    }

    [Fact]
    public void AMissingDirectoryIsAUsageErrorNamingIt()
    {
        var e = Assert.Throws<UsageException>(() => ShippedOrganisms.Resolve("hf:/no/such/model+adapter:/x", new Dictionary<string, string>()));
        Assert.Contains("/no/such/model", e.Message);
        Assert.Contains("--base-model", e.Message);
    }

    static async Task<JsonElement> Post(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("chat/completions", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
