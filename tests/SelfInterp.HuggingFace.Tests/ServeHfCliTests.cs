using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.Engine.Decoding;
using SelfInterp.Experiments.Preferences;
using SelfInterp.HuggingFace.Tests.Fixtures;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>`selfinterp serve --backend local --base-model hf:DIR+adapter:DIR` started as a user starts it, in a
/// process of its own: a decision prompt gets a chat completion whose A/B log-probabilities are the merged model's own
/// next-token distribution.</summary>
public sealed class ServeHfCliTests
{
    [Fact]
    public async Task Serve_on_a_checkpoint_with_an_adapter_answers_with_log_probabilities()
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied with { MaxPositions = 2048 });
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        RandomPeftAdapter.Write(fixture.Spec, dir["adapter"], 4, ["q_proj", "v_proj"], 16, false, seed: 8);
        string model = $"hf:{dir["hf"]}+adapter:{dir["adapter"]}";

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "selfinterp.dll"), "serve", "--port", "0", "--backend", "local", "--base-model", model })
            psi.ArgumentList.Add(a);
        psi.Environment["XDG_DATA_HOME"] = dir["data"];
        psi.Environment.Remove(Cli.Commands.ServeApiKey.EnvironmentVariable);
        using var serve = Process.Start(psi)!;
        try
        {
            string? url = null;
            while (url is null && serve.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith("OpenAI-compatible API at ", StringComparison.Ordinal)) url = line.Split(' ')[3];
            if (url is null) Assert.Fail($"serve did not start: {serve.StandardError.ReadToEnd()}");

            var plan = PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 2, Native = 2 }));
            var prompt = plan.DecisionPrompt(plan.DrawTrial(1, Core.Random.SeededStream.Derive(5, "hf-serve-cli")));
            using var http = new HttpClient { BaseAddress = new Uri(url!.TrimEnd('/') + "/") };
            var response = await http.PostAsJsonAsync("chat/completions", new
            {
                model, max_tokens = 1, logprobs = true, top_logprobs = 2,
                messages = prompt.Messages.Select(m => new { role = m.Role, content = m.Content }),
            });
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var top = JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content")[0]
                .GetProperty("top_logprobs").EnumerateArray().ToDictionary(t => t.GetProperty("token").GetString()!, t => t.GetProperty("logprob").GetDouble());

            // The merged model's own P(A) against P(B) after the chat-formatted prompt.
            var hf = HfModel.Load(HfModelSpec.Parse(model));
            var tokens = hf.Chat.Encode(prompt.Messages.Select(m => new ChatMessage(m.Role, m.Content)).ToList(), addGenerationPrompt: true);
            var logits = new Inference(hf.Model).Logits(tokens);
            int v = hf.Model.Config.VocabSize, last = tokens.Length - 1;
            double la = logits[last * v + hf.Tokenizer.Encode("A")[0]], lb = logits[last * v + hf.Tokenizer.Encode("B")[0]];
            Assert.Equal(1 / (1 + Math.Exp(lb - la)), Math.Exp(top["A"]), 5);
            Assert.Equal(1 / (1 + Math.Exp(la - lb)), Math.Exp(top["B"]), 5);
        }
        finally
        {
            serve.Kill();
            serve.WaitForExit();
        }
    }
}
