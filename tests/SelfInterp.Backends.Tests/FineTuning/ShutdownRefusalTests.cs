using System.Net;
using System.Text;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>OpenAI refusing a new fine-tuning job because its fine-tuning is closing: the error says so and names the ways on.</summary>
public class ShutdownRefusalTests
{
    /// <summary>OpenAI's files API answers; its jobs API refuses with <paramref name="message"/>.</summary>
    private sealed class RefusingOpenAI(int status, string message) : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Paths.Add(request.RequestUri!.AbsolutePath);
            string json = request.RequestUri.AbsolutePath.EndsWith("/files")
                ? """{"id":"file-abc","object":"file","bytes":10,"created_at":1715021438,"filename":"instill.jsonl","purpose":"fine-tune","status":"processed"}"""
                : "{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
            var code = request.RequestUri.AbsolutePath.EndsWith("/files") ? HttpStatusCode.OK : (HttpStatusCode)status;
            return Task.FromResult(new HttpResponseMessage(code) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    private static async Task<OpenAIServiceException> Refused(int status, string message)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("refusal").FullName, "instill.jsonl");
        File.WriteAllText(file, "{}\n");
        var config = new RunConfig { Backend = "openai", BackendOptions = new(StringComparer.Ordinal) { ["retry_delay_ms"] = "1", ["requests_per_minute"] = "0" } };
        var backend = OpenAIBackend.FromEnvironment(config, v => v == OpenAIBackendOptions.ApiKeyVariable ? "sk-test" : null, null, new RefusingOpenAI(status, message));
        return await Assert.ThrowsAsync<OpenAIServiceException>(() =>
            backend.FineTuneAsync(new FineTuneRequest("gpt-4o-mini-2024-07-18", "instilled", file, null, [], 1), null, default));
    }

    [Fact]
    public async Task A_refusal_because_of_the_shutdown_names_the_alternatives()
    {
        var e = await Refused(403, "Fine-tuning is no longer available for this organization.");
        Assert.Contains("Fine-tuning is no longer available for this organization.", e.Message);
        Assert.Contains("OpenAI refused to create a fine-tuning job for 'gpt-4o-mini-2024-07-18': its fine-tuning is closing", e.Message);
        Assert.Contains("--fine-tune together", e.Message);
        Assert.Contains("--fine-tune external", e.Message);
        Assert.Contains("Nothing already done is lost", e.Message);
        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task Other_refusals_keep_their_own_message()
    {
        var e = await Refused(400, "invalid training file: line 3 is not JSON");
        Assert.Contains("invalid training file: line 3 is not JSON", e.Message);
        Assert.DoesNotContain("fine-tuning is closing", e.Message);
    }
}
