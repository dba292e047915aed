using SelfInterp.Experiments;
using Microsoft.Extensions.AI;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Analysis.Layout;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Runs;
using AI = Microsoft.Extensions.AI;

namespace SelfInterp.Backends.Tests.ChatClient;

/// <summary>The IChatClient adapter gives the backend's own answers, as text, with P(A) beside decisions.</summary>
public sealed class BackendChatClientTests
{
    private static readonly PreferencesPlan Plan = PreferencesPlan.Create(PreferencesExperiment.Config(new PreferencesConfig { Instilled = 2, Native = 2 }));

    private static readonly PreferencesCodec Codec = new(Plan.Catalog, PromptTemplates.Default);

    private static (Core.Backends.IModelBackend Backend, IChatClient Client) Make()
    {
        var dir = Path.Combine(Path.GetTempPath(), "selfinterp-tests", "chatclient-" + Guid.NewGuid().ToString("N"));
        var backend = BackendFactory.Create(new RunConfig { Backend = "simulated", BaseModel = "simulated-base" }, Plan.Catalog, Codec, dir);
        var classifier = DecisionPrompts.Classifier(Codec);
        return (backend, new BackendChatClient(backend, "simulated-base", classifier));
    }

    private static List<AI.ChatMessage> ToAI(Core.Backends.ChatPrompt p) =>
        p.Messages.Select(m => new AI.ChatMessage(new ChatRole(m.Role), m.Content)).ToList();

    [Fact]
    public async Task A_decision_prompt_gets_the_backends_choice_and_probability()
    {
        var (backend, client) = Make();
        var prompt = Plan.DecisionPrompt(Plan.DrawTrial(0, Core.Random.SeededStream.Derive(2, "chat_client")));
        var expected = (await backend.ChooseAsync("simulated-base", [prompt with { Task = null }], null, CancellationToken.None))[0];
        var response = await client.GetResponseAsync(ToAI(prompt));
        Assert.Equal(expected.Selection.ToString(), response.Text);
        Assert.Equal(expected.ProbabilityA, (double)response.AdditionalProperties![BackendChatClient.ProbabilityAKey]!);
        Assert.Equal("simulated-base", response.ModelId);
    }

    [Fact]
    public async Task Any_other_prompt_gets_a_completion_and_streaming_gives_the_same_text()
    {
        var (backend, client) = Make();
        var prompt = Plan.ReportPrompt(Plan.DrawTrial(1, Core.Random.SeededStream.Derive(3, "chat_client")));
        var expected = (await backend.CompleteAsync("simulated-base", [prompt with { Task = null }], 100, null, CancellationToken.None))[0];
        var response = await client.GetResponseAsync(ToAI(prompt), new ChatOptions { MaxOutputTokens = 100 });
        Assert.Equal(expected, response.Text);
        Assert.True(ReportParser.TryParse(response.Text, Plan.Scenario(1), out _, out _));
        Assert.Null(response.AdditionalProperties);

        var streamed = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(ToAI(prompt), new ChatOptions { MaxOutputTokens = 100 })) streamed.Add(u);
        Assert.Equal(expected, string.Concat(streamed.Select(u => u.Text)));
    }

    [Fact]
    public async Task Stop_sequences_cut_the_text_and_metadata_names_the_backend()
    {
        var (_, client) = Make();
        var prompt = Plan.ReportPrompt(Plan.DrawTrial(1, Core.Random.SeededStream.Derive(3, "chat_client")));
        var response = await client.GetResponseAsync(ToAI(prompt), new ChatOptions { StopSequences = [":"] });
        Assert.DoesNotContain(":", response.Text);
        var meta = client.GetService<ChatClientMetadata>()!;
        Assert.Equal("simulated", meta.ProviderName);
        Assert.Equal("simulated-base", meta.DefaultModelId);
    }
}
