using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SelfInterp.Server.Tests;

/// <summary>Each bad request gets a 4xx with an OpenAI-style error body, and the server answers normally afterwards.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private ServerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ServerHarness.StartAsync(maxRequestBytes: 64 * 1024);
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts the status and the error shape; returns error.message.</summary>
    private async Task<JsonElement> AssertError(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        Assert.Equal(status, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        if (code is not null) Assert.Equal(code, error.GetProperty("code").GetString());
        await AssertStillServing();
        return error.Clone();
    }

    private async Task AssertStillServing()
    {
        var models = await _harness.Http.GetAsync("models");
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains("simulated-base", await models.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Malformed_json_is_a_400()
    {
        var error = await AssertError(await _harness.Http.PostAsync("chat/completions", JsonBody("{\"model\": \"simulated-base\", \"messages\": [")), HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_in_a_chat_request_is_a_400_naming_where_not_a_500()
    {
        // Issue 24: the bytes parse as JSON, and failed only when the string was read, as a 500.
        var body = Encoding.UTF8.GetBytes("{\"model\": \"simulated-base\", \"messages\": [{\"role\": \"user\", \"content\": \"hi X\"}]}").ToArray();
        body[Array.IndexOf(body, (byte)'X')] = 0xFF;
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var error = await AssertError(await _harness.Http.PostAsync("chat/completions", content), HttpStatusCode.BadRequest);
        Assert.Contains("not UTF-8 text (line 1, byte", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_in_an_uploaded_file_is_a_400_naming_the_line()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"A\"}]}\n{\"messages\": [{\"role\": \"user\", \"content\": \"qX\"}, {\"role\": \"assistant\", \"content\": \"A\"}]}\n");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3; // a lead byte with no continuation
        using var form = new MultipartFormDataContent
        {
            { new StringContent("fine-tune"), "purpose" },
            { new ByteArrayContent(bytes), "file", "latin1.jsonl" },
        };
        var error = await AssertError(await _harness.Http.PostAsync("files", form), HttpStatusCode.BadRequest, "invalid_file");
        Assert.Contains("latin1.jsonl:2: the file is not UTF-8 text", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_a_400_naming_it()
    {
        var error = await AssertError(await _harness.Http.PostAsync("chat/completions",
            JsonBody("{\"model\": \"simulated-base\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": \"many\"}")), HttpStatusCode.BadRequest);
        Assert.Equal("max_tokens", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Unknown_model_is_a_404_model_not_found_naming_the_served_base_model()
    {
        var error = await AssertError(await _harness.Http.PostAsync("chat/completions",
            JsonBody("{\"model\": \"gpt-nothing\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")), HttpStatusCode.NotFound, "model_not_found");
        // Issue 24: asking for 'reporter' when serve hosts the default organism said only "does not exist".
        Assert.Contains("this server's base model is 'simulated-base'", error.GetProperty("message").GetString());
        Assert.Contains("--base-model", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_prompt_the_backend_cannot_read_is_a_400()
    {
        // The simulated observer answers only this catalog's prompts: a free-text question is bad input, not a crash.
        var error = await AssertError(await _harness.Http.PostAsync("chat/completions",
            JsonBody("{\"model\": \"simulated-base\", \"messages\": [{\"role\": \"user\", \"content\": \"What is the capital of France?\"}]}")), HttpStatusCode.BadRequest);
        Assert.Contains("not one of this experiment's prompts", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_file_that_is_not_chat_jsonl_is_a_400_naming_the_line()
    {
        var jsonl = "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"A\"}]}\n{\"prompt\": \"old completions format\"}\n";
        using var form = new MultipartFormDataContent
        {
            { new StringContent("fine-tune"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl)), "file", "bad.jsonl" },
        };
        var error = await AssertError(await _harness.Http.PostAsync("files", form), HttpStatusCode.BadRequest, "invalid_file");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("bad.jsonl", message);
        Assert.Contains("2", message);
        Assert.Contains("messages", message);
    }

    [Fact]
    public async Task An_oversized_request_is_a_413()
    {
        var big = new string('x', 100 * 1024);
        await AssertError(await _harness.Http.PostAsync("chat/completions",
            JsonBody($"{{\"model\": \"simulated-base\", \"messages\": [{{\"role\": \"user\", \"content\": \"{big}\"}}]}}")), HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public async Task A_missing_or_wrong_key_is_a_401()
    {
        using var none = new HttpClient { BaseAddress = _harness.Server.BaseUrl };
        await AssertError(await none.GetAsync("models"), HttpStatusCode.Unauthorized, "missing_api_key");
        using var wrong = new HttpClient { BaseAddress = _harness.Server.BaseUrl };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-wrong");
        await AssertError(await wrong.GetAsync("models"), HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Unknown_job_file_and_route_are_404s()
    {
        await AssertError(await _harness.Http.GetAsync("fine_tuning/jobs/ftjob-nope"), HttpStatusCode.NotFound);
        await AssertError(await _harness.Http.GetAsync("files/file-nope"), HttpStatusCode.NotFound);
        await AssertError(await _harness.Http.GetAsync("embeddings"), HttpStatusCode.NotFound, "unknown_url");
    }

    [Fact]
    public async Task A_job_naming_a_missing_file_is_a_400()
    {
        var error = await AssertError(await _harness.Http.PostAsync("fine_tuning/jobs",
            JsonBody("{\"model\": \"simulated-base\", \"training_file\": \"file-404\"}")), HttpStatusCode.BadRequest, "invalid_file");
        Assert.Equal("training_file", error.GetProperty("param").GetString());
    }
}
