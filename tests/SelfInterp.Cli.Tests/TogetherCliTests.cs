using SelfInterp.Analysis.Layout;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Contracts;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Runs;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// `selfinterp run --fine-tune together` as a user runs it, against <see cref="FakeTogether"/> on a loopback port
/// behind the contract check: the dry run shows every request (continuing with from_checkpoint) and the pre-flight;
/// the quick preset runs to its report; an unreadable log-probability shape stops with exit 2 before any report.
/// </summary>
public class TogetherCliTests
{
    private const string Key = "together-cli-KEY-2d4e61";
    private readonly List<string> _output = [];

    private (int Code, string Out, string Err) Run(bool withKey, params string[] args)
    {
        var result = SelfInterpProcess.Run(withKey ? new Dictionary<string, string> { [TogetherOptions.ApiKeyVariable] = Key } : null, args);
        _output.Add(result.Out + result.Err);
        return result;
    }

    /// <summary>Together's fake on a loopback port behind the contract check.</summary>
    private static (FakeTogether Fake, ContractCheckedHandler Checked, LoopbackService Service) Serve(FakeTogether fake)
    {
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        return (fake, checkedFake, new LoopbackService(checkedFake));
    }

    private static string Dir(string label) => Path.Combine(Directory.CreateTempSubdirectory(label).FullName, "run");

    private static string[] Args(LoopbackService fake, string dir, string baseModel, params string[] more) =>
    [
        "run", "--backend", "openai", "--fine-tune", "together", "--base-model", baseModel, "--out", dir,
        "--option", $"together_url={fake.BaseUrl}v1", "--option", "poll_seconds=0", "--option", "concurrency=16", "--option", "retry_delay_ms=1", "--option", "max_retries=1", .. more,
    ];

    [Fact]
    public async Task The_dry_run_shows_the_continue_from_request_and_the_preflight_and_pays_for_nothing()
    {
        var (fake, checkedFake, service) = Serve(new FakeTogether(Key));
        await using var _ = service;
        var dir = Dir("together-dry");

        var (code, stdout, err) = Run(true, Args(service, dir, FakeTogether.ServerlessBase, "--dry-run", "--option", "n_epochs=3", "--option", "learning_rate=5e-5",
            "--option", "itrain_n_epochs=5", "--option", "itrain_learning_rate=1e-5"));

        Assert.True(code == 0, stdout + err);
        checkedFake.AssertClean();
        Assert.Empty(fake.Jobs);
        Assert.Empty(fake.Files);
        Assert.Contains($"POST {service.BaseUrl}v1/files/upload", stdout);
        Assert.Contains($"  file: <{DatasetBuilder.InstillFileName(20)}, {new FileInfo(Path.Combine(dir, DatasetBuilder.InstillFileName(20))).Length} bytes>", stdout);
        var instill = stdout[stdout.IndexOf("# instilled")..stdout.IndexOf("# itrained_first")];
        var itrain = stdout[stdout.IndexOf("# itrained_all")..stdout.IndexOf("pre-flight")];
        Assert.Contains($"\"model\": \"{FakeTogether.ServerlessBase}\"", instill);
        Assert.Contains("\"n_evals\": 1", instill);
        Assert.Contains("\"random_seed\":", instill);
        Assert.Contains("\"n_epochs\": 3", instill);
        Assert.Contains("\"from_checkpoint\": \"<output model of the instilled job>\"", itrain);
        Assert.DoesNotContain("\"model\":", itrain);
        Assert.Contains("\"n_epochs\": 5", itrain);
        Assert.Contains("\"lora_r\": 64", itrain);
        Assert.Contains("pre-flight (asked Together before paying):", stdout);
        Assert.Contains($"ok: Together fine-tunes {FakeTogether.ServerlessBase}", stdout);
        Assert.Contains("are served serverless", stdout);
        Assert.Contains("the route works as configured", stdout);
        Assert.Contains(checkedFake.Checked, c => c.StartsWith("GET /fine-tunes/models/limits"));
        Assert.DoesNotContain(Key, stdout + err);

        // A base whose fine-tunes Together does not serve serverless: the dry run says so and what to do, exit 2.
        var (bad, badOut, badErr) = Run(true, Args(service, Dir("together-dry-qwen"), "Qwen/Qwen2.5-7B-Instruct", "--dry-run"));
        Assert.Equal(2, bad);
        Assert.Contains("PROBLEM: Together does not serve LoRA fine-tunes of 'Qwen/Qwen2.5-7B-Instruct' serverless", badOut);
        Assert.Contains("pre-flight with Together found 1 problem", badErr);
        // Without a key the requests are still shown, and the pre-flight says why it did not run.
        var (noKey, noKeyOut, _) = Run(false, Args(service, Dir("together-dry-nokey"), FakeTogether.ServerlessBase, "--dry-run"));
        Assert.Equal(0, noKey);
        Assert.Contains($"pre-flight: not run ({TogetherOptions.ApiKeyVariable} is not set)", noKeyOut);
        checkedFake.AssertClean();
    }

    [Fact]
    public async Task The_quick_preset_runs_to_its_report_against_the_fake_with_every_exchange_as_the_document_allows()
    {
        var (fake, checkedFake, service) = Serve(new FakeTogether(Key));
        await using var _ = service;
        var dir = Dir("together-quick");

        // The fake learned nothing (always A): --keep-going lets the run reach its report.
        var (code, stdout, err) = Run(true, Args(service, dir, FakeTogether.ServerlessBase, "--keep-going"));

        Assert.True(code == 0, stdout + err);
        checkedFake.AssertClean();
        Assert.Contains("ok: Together fine-tunes", stdout);
        Assert.True(File.Exists(Path.Combine(dir, "summary.json")) || Directory.GetFiles(dir, "summary.json", SearchOption.AllDirectories).Length > 0);
        var manifest = RunManifest.Load(Path.Combine(dir, PaperLayout.RunManifestFile));
        Assert.Equal(4, manifest.Models.Count(m => m.Value.JobId is not null));
        foreach (var file in Directory.GetFiles(dir, "*selections.csv"))
            Assert.All(File.ReadLines(file).Skip(1), line => Assert.EndsWith(",0.7", line));
        Assert.All(_output, o => Assert.DoesNotContain(Key, o));
    }

    [Fact]
    public async Task Log_probabilities_in_an_unknown_shape_stop_the_run_with_exit_2_before_any_report()
    {
        var (_, checkedFake, service) = Serve(new FakeTogether(Key) { UnknownLogprobShape = true });
        await using var __ = service;
        var dir = Dir("together-shape");

        var (code, stdout, err) = Run(true, Args(service, dir, FakeTogether.ServerlessBase, "--keep-going"));

        Assert.True(code == 2, stdout + err);
        checkedFake.AssertClean(); // the shape is one Together's document allows; SelfInterp just cannot read it
        Assert.Contains("error: together, model ", err);
        Assert.Contains("choices[0].logprobs has neither OpenAI's content[] nor Together's tokens/token_logprobs/top_logprobs (it has: values)", err);
        Assert.Empty(Directory.GetFiles(dir, "summary.json", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(dir, "*.html", SearchOption.AllDirectories));
    }
}
