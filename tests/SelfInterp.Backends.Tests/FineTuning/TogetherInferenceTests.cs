using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Contracts;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>Choices through Together's inference: P(A) from Together's log-probabilities, and the two silent gaps made loud
/// (an answer in a shape SelfInterp cannot read; P(A) missing for more than 1% of the choices).</summary>
public class TogetherInferenceTests
{
    private static readonly IReadOnlyList<ChatPrompt> Prompts =
        Enumerable.Range(0, 10).Select(i => new ChatPrompt([ChatMessage.User($"Option A or option B? ({i})")])).ToList();

    [Fact]
    public async Task P_A_is_read_from_Togethers_log_probabilities_for_every_choice()
    {
        var fake = new FakeTogether(TogetherFineTuningTests.Key) { ProbabilityA = 0.25 };
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var choices = await TogetherFineTuningTests.Backend(TogetherFineTuningTests.Config(), checkedFake).ChooseAsync(fake.BaseModel, Prompts, null, default);
        checkedFake.AssertClean();
        Assert.All(choices, c => Assert.Equal('B', c.Selection));
        Assert.All(choices, c => Assert.Equal(0.25, c.ProbabilityA!.Value, 12));
    }

    [Fact]
    public async Task Log_probabilities_in_a_shape_no_document_describes_stop_the_run_naming_provider_model_and_field()
    {
        var fake = new FakeTogether(TogetherFineTuningTests.Key) { UnknownLogprobShape = true };
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake); // the shape is one the document allows
        var e = await Assert.ThrowsAsync<ProviderAnswerException>(() =>
            TogetherFineTuningTests.Backend(TogetherFineTuningTests.Config(), checkedFake).ChooseAsync(fake.BaseModel, Prompts, null, default));
        checkedFake.AssertClean();
        Assert.Contains("together", e.Message);
        Assert.Contains($"model '{fake.BaseModel}'", e.Message);
        Assert.Contains("choices[0].logprobs", e.Message);
        Assert.Contains("values", e.Message);
    }

    [Fact]
    public void A_per_token_list_of_maps_is_read_as_well_as_the_documents_map_and_OpenAIs_content()
    {
        var together = new LogprobDialect(true, null);
        var list = together.FirstTokenAlternatives(BinaryData.FromString(
            """{"choices":[{"logprobs":{"tokens":["A"],"token_logprobs":[-0.5],"top_logprobs":[{"A":-0.5,"B":-1.5},{"x":-9}]}}]}"""), "m");
        Assert.Equal(1 / (1 + Math.Exp(-1)), ChoiceReading.ProbabilityA(list)!.Value, 12);
        var map = together.FirstTokenAlternatives(BinaryData.FromString(
            """{"choices":[{"logprobs":{"tokens":["B"],"token_logprobs":[-0.1],"top_logprobs":{"B":-0.1,"A":-2.4}}}]}"""), "m");
        Assert.Equal(1 / (1 + Math.Exp(2.3)), ChoiceReading.ProbabilityA(map)!.Value, 12);
        var openai = new LogprobDialect(false, new Uri("https://api.openai.com/v1")).FirstTokenAlternatives(BinaryData.FromString(
            """{"choices":[{"logprobs":{"content":[{"token":"A","logprob":-0.2,"top_logprobs":[{"token":"A","logprob":-0.2},{"token":"B","logprob":-1.8}]}]}}]}"""), "m");
        Assert.Equal(1 / (1 + Math.Exp(-1.6)), ChoiceReading.ProbabilityA(openai)!.Value, 12);
        // No log-probabilities at all: P(A) unknown (counted by the 1% check), not an error of shape.
        Assert.Empty(together.FirstTokenAlternatives(BinaryData.FromString("""{"choices":[{"logprobs":null}]}"""), "m"));
        Assert.Throws<ProviderAnswerException>(() => together.FirstTokenAlternatives(BinaryData.FromString(
            """{"choices":[{"logprobs":{"tokens":["A"],"top_logprobs":{"A":"high"}}}]}"""), "m"));
    }

    [Fact]
    public void More_than_one_percent_of_choices_without_P_A_stops_the_run_by_name()
    {
        var dialect = new LogprobDialect(true, null);
        var choices = Enumerable.Range(0, 200).Select(i => new Choice('A', i < 2 ? null : 0.6)).ToList();
        dialect.CheckProbabilities("fakeorg/m-instilled", choices); // 2 of 200 = 1%: the limit itself
        choices[2] = new Choice('A', null);
        var e = Assert.Throws<ProviderAnswerException>(() => dialect.CheckProbabilities("fakeorg/m-instilled", choices));
        Assert.Contains("together, model 'fakeorg/m-instilled': 3 of 200 choices (1.5%) came back without P(A)", e.Message);
        Assert.Contains("choices[].logprobs.top_logprobs", e.Message);
    }
}
