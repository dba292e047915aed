using SelfInterp.Backends.FineTuning;
using SelfInterp.Contracts;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.FineTuning;

/// <summary>The pre-flight asks Together's model listings (contract-checked) before anything is paid for, and says what to do.</summary>
public class TogetherPreflightTests
{
    private static async Task<TogetherPreflight.Findings> Preflight(FakeTogether fake, string baseModel, params (string, string)[] options)
    {
        var checkedFake = new ContractCheckedHandler(ApiDocument.Together, fake);
        var backend = TogetherFineTuningTests.Backend(TogetherFineTuningTests.Config(options) with { BaseModel = baseModel }, checkedFake);
        var findings = await ((TogetherFineTuning)backend.FineTuning).PreflightAsync(!backend.AsksTogether, default);
        checkedFake.AssertClean();
        Assert.Empty(fake.Jobs); // nothing created, nothing paid
        Assert.Empty(fake.Files);
        return findings;
    }

    [Fact]
    public async Task The_recommended_base_passes_every_check()
    {
        var findings = await Preflight(new FakeTogether(TogetherFineTuningTests.Key), FakeTogether.ServerlessBase);
        Assert.True(findings.Ok, findings.Render());
        Assert.Contains(findings.Passed, p => p.Contains("served serverless"));
        Assert.Contains(findings.Passed, p => p.StartsWith("Together fine-tunes"));
    }

    [Fact]
    public async Task A_base_whose_LoRA_fine_tunes_are_not_served_serverless_is_stopped_before_paying_with_the_way_on()
    {
        var findings = await Preflight(new FakeTogether(TogetherFineTuningTests.Key), "Qwen/Qwen2.5-7B-Instruct");
        var problem = Assert.Single(findings.Problems);
        Assert.Contains("does not serve LoRA fine-tunes of 'Qwen/Qwen2.5-7B-Instruct' serverless", problem);
        Assert.Contains($"--base-model {TogetherPreflight.RecommendedBase}", problem);
        Assert.Contains("--base-url", problem);
        // With the user's own inference, serving is theirs: no problem left.
        var own = await Preflight(new FakeTogether(TogetherFineTuningTests.Key), "Qwen/Qwen2.5-7B-Instruct", ("base_url", "http://127.0.0.1:8000/v1"));
        Assert.True(own.Ok, own.Render());
    }

    [Fact]
    public async Task A_base_Together_does_not_fine_tune_a_rank_above_its_limit_and_full_training_are_each_named()
    {
        var unknown = await Preflight(new FakeTogether(TogetherFineTuningTests.Key), "acme/unknown-7b");
        Assert.Contains(unknown.Problems, p => p.Contains("Together does not fine-tune 'acme/unknown-7b'"));
        Assert.Contains(unknown.Problems, p => p.Contains("no fine-tuning limits"));

        var rank = await Preflight(new FakeTogether(TogetherFineTuningTests.Key), FakeTogether.ServerlessBase, ("lora_r", "128"));
        Assert.Contains("lora_r 128 is above Together's largest rank", Assert.Single(rank.Problems));

        var fullOnly = new FakeTogether(TogetherFineTuningTests.Key) { LoraModels = [] };
        var lora = await Preflight(fullOnly, FakeTogether.ServerlessBase);
        Assert.Contains(lora.Problems, p => p.Contains("with LoRA training"));

        var full = await Preflight(new FakeTogether(TogetherFineTuningTests.Key), FakeTogether.ServerlessBase, ("lora", "false"));
        Assert.Contains("full fine-tunes are not served serverless", Assert.Single(full.Problems));
    }
}
