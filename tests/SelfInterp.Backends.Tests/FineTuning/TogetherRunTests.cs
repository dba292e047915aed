using System.Text.Json.Nodes;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Contracts;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>
/// The quick preset with --fine-tune together against <see cref="FakeTogether"/> behind the contract check (fine-tuning
/// and inference alike): every request and answer as Together's document allows, introspection training continued
/// with from_checkpoint, P(A) read from Together's log-probabilities for every choice, and the key in no file.
/// </summary>
public class TogetherRunTests
{
    private const string Key = "together-run-KEY-3e9d77";

    [Fact]
    public async Task The_quick_preset_runs_end_to_end_on_Together_with_every_exchange_as_the_document_allows_and_P_A_for_every_choice()
    {
        var fake = new FakeTogether(Key);
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var config = PreferencesExperiment.Config("quick") with
        {
            Backend = "openai", FineTune = FineTuneProviders.Together, BaseModel = fake.BaseModel,
            BackendOptions = new(StringComparer.Ordinal) { ["poll_seconds"] = "0", ["requests_per_minute"] = "0", ["concurrency"] = "16" },
        };
        var run = RunDirectory.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory("together-run").FullName, "run"), config);
        var backend = OpenAIBackend.FromEnvironment(config, v => v == TogetherOptions.ApiKeyVariable ? Key : null,
            delta => run.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; }), checkedFake);
        var findings = await ((TogetherFineTuning)backend.FineTuning).PreflightAsync(ownInference: !backend.AsksTogether, default);
        Assert.True(findings.Ok, findings.Render());

        // This model learned nothing (always A, P(A) 0.7): the checks of instillation are off so the run goes to the end.
        var planned = new PreferencesExperiment().Open(config);
        await Core.Pipeline.Runner.RunAsync(run, planned, backend, Core.Pipeline.SilentProgress.Instance, default, checks: Core.Pipeline.ReplyChecks.Off);

        checkedFake.AssertClean();
        var manifest = RunManifest.Load(run.ManifestPath);
        foreach (var key in new[] { "instilled", "itrained_first", "itrained_last", "itrained_all" })
        {
            var job = fake.Jobs[manifest.Models[key].JobId!];
            Assert.Equal(key, job.Suffix);
            Assert.Equal(job.OutputName, manifest.Models[key].Id);
        }
        var itrain = fake.Jobs[manifest.Models["itrained_all"].JobId!].Body;
        Assert.Equal(manifest.Models["instilled"].Id, (string?)itrain["from_checkpoint"]);
        Assert.False(itrain.ContainsKey("model"));
        Assert.Equal(4, manifest.Usage[UsageMeter.FineTuningJobs]);
        // Choices asked Together's way: an integer logprobs and max_tokens 1.
        var choice = fake.Requests.Where(r => r.PathAndQuery == "/v1/chat/completions").Select(r => JsonNode.Parse(r.Body)!.AsObject())
            .First(b => (int?)b["max_tokens"] == 1);
        Assert.Equal(5, (int?)choice["logprobs"]);
        Assert.False(choice.ContainsKey("max_completion_tokens"));
        foreach (var endpoint in new[] { "GET /fine-tunes/models/supported 200", "GET /fine-tunes/models/limits 200", "GET /models 200",
                     "POST /files/upload 200", "POST /fine-tunes 200", "GET /fine-tunes/{id} 200", "POST /chat/completions 200" })
            Assert.Contains(endpoint, checkedFake.Checked);
        // P(A) for every choice of every selections file.
        var selections = Directory.GetFiles(run.Path, "*selections.csv");
        Assert.NotEmpty(selections);
        int rows = 0;
        foreach (var file in selections)
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                Assert.Equal("0.7", line[(line.LastIndexOf(',') + 1)..]);
                rows++;
            }
        Assert.True(rows >= 20 * 50 + 20 * 100, $"{rows} choices");
        run.Dispose(); // releases run.lock, so every file can be read
        foreach (var file in Directory.EnumerateFiles(run.Path, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(Key, File.ReadAllText(file));
    }
}
