using SelfInterp.Backends.OpenAI;
using SelfInterp.Contracts;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>
/// OpenAI's fine-tuning jobs through <see cref="FakeOpenAIJobs"/> behind the contract check: a job polled through every
/// status of OpenAI's document, and a refused job creation that, when it is the shutdown (or a 403 worded as
/// permission or access), says so and names the ways on.
/// </summary>
public class ShutdownRefusalTests
{
    private static (OpenAIBackend Backend, ContractCheckedHandler Checked) Backend(FakeOpenAIJobs fake)
    {
        var config = new RunConfig { Backend = "openai", BackendOptions = new(StringComparer.Ordinal) { ["retry_delay_ms"] = "1", ["requests_per_minute"] = "0", ["poll_seconds"] = "0" } };
        var checkedFake = new ContractCheckedHandler(ApiDocument.OpenAI, fake);
        return (OpenAIBackend.FromEnvironment(config, v => v == OpenAIBackendOptions.ApiKeyVariable ? "sk-test" : null, null, checkedFake), checkedFake);
    }

    private static FineTuneRequest Request()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("refusal").FullName, "instill.jsonl");
        File.WriteAllText(file, "{}\n");
        return new FineTuneRequest("gpt-4.1-mini-2025-04-14", "instilled", file, null, [], 1);
    }

    private static async Task<OpenAIServiceException> Refused(int status, string message)
    {
        var (backend, checkedFake) = Backend(new FakeOpenAIJobs { RefuseCreation = (status, message) });
        var e = await Assert.ThrowsAsync<OpenAIServiceException>(() => backend.FineTuneAsync(Request(), null, default));
        checkedFake.AssertClean();
        return e;
    }

    [Theory]
    [InlineData("succeeded")]
    [InlineData("failed")]
    [InlineData("cancelled")]
    public async Task A_job_is_polled_through_every_status_of_OpenAIs_document(string end)
    {
        var fake = new FakeOpenAIJobs { NextScript = ["validating_files", "queued", "running", end] };
        var (backend, checkedFake) = Backend(fake);
        var run = backend.FineTuneAsync(Request(), null, default);
        if (end == "succeeded") Assert.StartsWith("ft:gpt-4.1-mini-2025-04-14:org:instilled:", await run);
        else Assert.Contains(end == "failed" ? "failed: line 3 has no messages" : "was cancelled", (await Assert.ThrowsAsync<OpenAIServiceException>(() => run)).Message);
        checkedFake.AssertClean();
        Assert.Equal(["validating_files", "queued", "running", end], Assert.Single(fake.Jobs.Values).Seen.Distinct()); // events re-read the job
        Assert.Contains("POST /files 200", checkedFake.Checked);
        Assert.Contains("POST /fine_tuning/jobs 200", checkedFake.Checked);
        Assert.Contains("GET /fine_tuning/jobs/{fine_tuning_job_id}/events 200", checkedFake.Checked);
    }

    [Fact]
    public async Task Cancel_goes_through_the_document()
    {
        var fake = new FakeOpenAIJobs { NextScript = ["queued", "running"] };
        var (backend, checkedFake) = Backend(fake);
        string? state = null;
        var request = Request() with { JobCreated = id => state = backend.FineTuning.CancelAsync(id, default).GetAwaiter().GetResult() };
        await Assert.ThrowsAsync<OpenAIServiceException>(() => backend.FineTuneAsync(request, null, default));
        checkedFake.AssertClean();
        Assert.Equal("cancelled", state);
        Assert.Contains("POST /fine_tuning/jobs/{fine_tuning_job_id}/cancel 200", checkedFake.Checked);
    }

    [Theory]
    [InlineData(403, "Fine-tuning is no longer available for this organization.")]
    [InlineData(403, "permission denied")]
    [InlineData(403, "You do not have access to fine-tune this model.")]
    [InlineData(404, "The model gpt-4o-mini-2024-07-18 has been deprecated.")]
    public async Task A_refusal_because_of_the_shutdown_names_the_alternatives(int status, string message)
    {
        var e = await Refused(status, message);
        Assert.Contains(message, e.Message);
        Assert.Contains("OpenAI refused to create a fine-tuning job for 'gpt-4.1-mini-2025-04-14'", e.Message);
        Assert.Contains("--fine-tune together", e.Message);
        Assert.Contains("--fine-tune external", e.Message);
        Assert.Contains("Nothing already done is lost", e.Message);
        Assert.Equal(status, e.Status);
    }

    [Theory]
    [InlineData(400, "invalid training file: line 3 is not JSON")]
    [InlineData(400, "invalid value for access_token on line 4")] // "access" but not a 403
    public async Task Other_refusals_keep_their_own_message(int status, string message)
    {
        var e = await Refused(status, message);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("fine-tuning is closing", e.Message);
    }
}
