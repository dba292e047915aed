using SelfInterp.Contracts;

namespace SelfInterp.Backends.Tests.Contracts;

/// <summary>
/// The contract check refuses what the published documents do not allow: one deliberately wrong shape per point of
/// issue 25 (and a few more), each of which the other tests would let through if the check were not there. The
/// right shapes beside them pass, so the check is not simply refusing everything.
/// </summary>
public class ContractCheckTests
{
    private static readonly ApiDocument Together = ApiDocument.Together, OpenAI = ApiDocument.OpenAI;

    private const string Job = """{"id":"ft-1","status":"running","created_at":"2026-11-29T15:00:00Z","updated_at":"2026-11-29T15:00:00Z"}""";

    public static TheoryData<string, string, string, string> WrongRequests => new()
    {
        // 1. continue-from: both model and from_checkpoint (the SDK's rule); neither of them (the document's required model).
        { "together", "/v1/fine-tunes", """{"training_file":"file-1","model":"m","from_checkpoint":"ft-1"}""", "both model and from_checkpoint" },
        { "together", "/v1/fine-tunes", """{"training_file":"file-1"}""", "model" },
        // 1. LoRA without its rank and alpha.
        { "together", "/v1/fine-tunes", """{"training_file":"file-1","model":"m","training_type":{"type":"Lora"}}""", "training_type" },
        // 1. random_seed and n_evals of the wrong type.
        { "together", "/v1/fine-tunes", """{"training_file":"file-1","model":"m","random_seed":"42"}""", "random_seed" },
        { "together", "/v1/fine-tunes", """{"training_file":"file-1","model":"m","n_evals":"1"}""", "n_evals" },
        // 1. OpenAI's boolean logprobs sent to Together, whose logprobs is an integer.
        { "together", "/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"A or B?"}],"logprobs":true}""", "logprobs" },
        // 5. Together's integer logprobs sent to OpenAI, whose logprobs is a boolean.
        { "openai", "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"A or B?"}],"logprobs":5}""", "logprobs" },
        { "openai", "/v1/fine_tuning/jobs", """{"training_file":"file-1"}""", "model" },
    };

    [Theory]
    [MemberData(nameof(WrongRequests))]
    public void A_request_the_document_does_not_allow_is_refused(string provider, string path, string body, string mentions)
    {
        var e = Assert.Throws<ContractException>(() => ContractCheckedHandlerProbe.Request(Doc(provider), "POST", path, body));
        Assert.Contains(mentions, e.Message);
    }

    public static TheoryData<string, string, string, string> RightRequests => new()
    {
        { "together", "/v1/fine-tunes", """{"training_file":"file-1","from_checkpoint":"ft-1","random_seed":42,"training_type":{"type":"Lora","lora_r":64,"lora_alpha":128}}""", "" },
        { "together", "/v1/fine-tunes", """{"training_file":"file-1","model":"m","random_seed":null,"validation_file":"file-2","n_evals":1}""", "" },
        { "together", "/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"A or B?"}],"logprobs":5,"max_tokens":1}""", "" },
        { "openai", "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"A or B?"}],"logprobs":true,"top_logprobs":5}""", "" },
    };

    [Theory]
    [MemberData(nameof(RightRequests))]
    public void The_same_requests_in_the_documented_shape_pass(string provider, string path, string body, string _) =>
        ContractCheckedHandlerProbe.Request(Doc(provider), "POST", path, body);

    public static TheoryData<string, string, string, string, string> WrongAnswers => new()
    {
        // 2. A fake's file answer without the fields the document requires.
        { "together", "POST", "/v1/files/upload", """{"id":"file-1","object":"file","created_at":1,"filename":"a.jsonl","bytes":3,"purpose":"fine-tune"}""", "Processed" },
        // 1. A job status in neither the document nor the SDK.
        { "together", "GET", "/v1/fine-tunes/ft-1", """{"id":"ft-1","status":"finished"}""", "status" },
        // 1. A job answer missing what the document requires (created_at and updated_at on the truncated job).
        { "together", "POST", "/v1/fine-tunes", """{"id":"ft-1","status":"pending"}""", "created_at" },
        { "together", "POST", "/v1/fine-tunes/ft-1/cancel", """{"id":"ft-1","status":"stopping","created_at":"x","updated_at":"x"}""", "status" },
        // 1/4. Together's log-probabilities: top_logprobs of numbers per token, and a chat answer without its required prompt.
        { "together", "POST", "/v1/chat/completions", """{"id":"c","object":"chat.completion","created":1,"model":"m","prompt":[],"choices":[{"index":0,"message":{"role":"assistant","content":"A"},"logprobs":{"tokens":["A"],"token_logprobs":[-0.1],"top_logprobs":{"A":"high"}}}]}""", "top_logprobs" },
        { "together", "POST", "/v1/chat/completions", """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}""", "prompt" },
        // 3. The pre-flight's listings: no models list; limits missing required fields; models not as a list.
        { "together", "GET", "/v1/fine-tunes/models/supported", """{"data":["m"]}""", "models" },
        { "together", "GET", "/v1/fine-tunes/models/limits", """{"model_name":"m","lora_training":{"max_rank":64}}""", "max_num_epochs" },
        { "together", "GET", "/v1/models", """{"data":[{"id":"m"}]}""", "array" },
        // 2. The error shape: the document's ErrorData needs error.type and error.message.
        { "together", "GET", "/v1/models", """{"error":{"message":"bad key"}}""", "type" },
        // 5. OpenAI: a job with a status outside its enum; chat logprobs in Together's shape; a 403 error without the error object.
        { "openai", "GET", "/v1/fine_tuning/jobs/ftjob-1", """{"id":"ftjob-1","object":"fine_tuning.job","created_at":1,"model":"gpt-4o-mini","status":"completed","training_file":"f","hyperparameters":{},"organization_id":"o","result_files":[],"seed":1,"error":null,"fine_tuned_model":null,"finished_at":null,"trained_tokens":null,"validation_file":null,"estimated_finish":null,"integrations":null}""", "status" },
        { "openai", "POST", "/v1/chat/completions", """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"A","refusal":null},"logprobs":{"tokens":["A"],"token_logprobs":[-0.1]}}]}""", "content" },
    };

    [Theory]
    [MemberData(nameof(WrongAnswers))]
    public void An_answer_the_document_does_not_allow_is_refused(string provider, string method, string path, string body, string mentions)
    {
        int status = body.Contains("\"error\"") && !body.Contains("\"id\"") ? 401 : 200;
        var e = Assert.Throws<ContractException>(() => ContractCheckedHandlerProbe.Answer(Doc(provider), method, path, body, status));
        Assert.Contains(mentions, e.Message);
    }

    [Fact]
    public void The_SDKs_user_error_passes_only_as_the_recorded_exception_and_only_on_a_job()
    {
        ContractCheckedHandlerProbe.Answer(Together, "GET", "/v1/fine-tunes/ft-1", """{"id":"ft-1","status":"user_error"}""");
        ContractCheckedHandlerProbe.Answer(Together, "POST", "/v1/fine-tunes", Job);
        Assert.Throws<ContractException>(() => ContractCheckedHandlerProbe.Answer(Together, "GET", "/v1/fine-tunes",
            """{"data":[{"id":"ft-1","status":"user_error","created_at":"x","updated_at":"x"}]}"""));
        Assert.Contains("user_error", ContractExceptions.UserErrorStatus);
    }

    /// <summary>Takes one field out of every answer of the fake under it: a fake that drifted from the document.</summary>
    private sealed class Drifted(HttpMessageHandler inner, string field) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) is System.Text.Json.Nodes.JsonObject o && o.Remove(field))
                response.Content = new StringContent(o.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            return response;
        }
    }

    [Fact]
    public async Task A_fake_that_answers_what_the_document_does_not_allow_fails_the_test_that_uses_it()
    {
        var (train, _) = FineTuning.TogetherFineTuningTests.Files();
        var checkedFake = new ContractCheckedHandler(Together, new Drifted(new FakeTogether(FineTuning.TogetherFineTuningTests.Key), "Processed"));
        var backend = FineTuning.TogetherFineTuningTests.Backend(FineTuning.TogetherFineTuningTests.Config(), checkedFake);
        var e = await Assert.ThrowsAsync<ContractException>(() =>
            backend.FineTuneAsync(new Core.Backends.FineTuneRequest(FakeTogether.ServerlessBase, "instilled", train, null, [], 1), null, default));
        Assert.Contains("together POST /files/upload answer 200", e.Message);
        Assert.Contains("Processed", Assert.Single(checkedFake.Violations));
    }

    private static ApiDocument Doc(string provider) => provider == "together" ? Together : OpenAI;
}
