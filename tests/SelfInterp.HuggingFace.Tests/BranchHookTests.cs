using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>TransformerLens's hook points on a real-format model: attn_out and mlp_out are the branches that join
/// the stream (resid_mid = resid_pre + attn_out, resid_post = resid_mid + mlp_out), recording them changes no bit
/// of the logits, changing them changes the stream, and RunWithCache returns every point of every position.</summary>
public sealed class BranchHookTests
{
    static Model Tiny()
    {
        var fixture = new RandomHfModel(TinyModelSpec.QwenTied);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir.Path);
        return HfCheckpoint.Load(dir.Path, options: new ModelOptions { Threads = 1 }).Model;
    }

    static readonly int[] Tokens = [5, 80, 200, 17, 260, 3, 99, 140];

    [Fact]
    public void BranchesAddUpToTheStreamAndRecordingChangesNothing()
    {
        var model = Tiny();
        var plain = new Inference(model).Logits(Tokens);
        var points = HookPoint.WithBranches(model.Config.NLayers).ToList();
        Assert.Equal(1 + 5 * model.Config.NLayers, points.Count);
        var (logits, cache) = new Inference(model).RunWithCache(Tokens, points);
        Assert.Equal(plain, logits);
        Assert.Equal(points.Count * Tokens.Length, cache.Count);
        for (int l = 0; l < model.Config.NLayers; l++)
            for (int t = 0; t < Tokens.Length; t++)
            {
                AssertSum(cache[HookPoint.ResidPre(l), 0, t], cache[HookPoint.AttnOut(l), 0, t], cache[HookPoint.ResidMid(l), 0, t]);
                AssertSum(cache[HookPoint.ResidMid(l), 0, t], cache[HookPoint.MlpOut(l), 0, t], cache[HookPoint.ResidPost(l), 0, t]);
            }
    }

    [Fact]
    public void ZeroingABranchRemovesItFromTheStream()
    {
        var model = Tiny();
        var zero = new float[model.Config.Dim];
        var inference = new Inference(model) { Hooks = new Hooks().Replace(HookPoint.Parse("blocks.1.hook_attn_out"), (_, pos) => pos >= 4 ? zero : null) };
        var plain = new Inference(model).Logits(Tokens);
        var (logits, cache) = inference.RunWithCache(Tokens, [HookPoint.ResidPre(1), HookPoint.ResidMid(1), HookPoint.AttnOut(1)]);
        for (int t = 0; t < Tokens.Length; t++)
        {
            bool zeroed = t >= 4;
            Assert.Equal(zeroed, cache[HookPoint.ResidPre(1), 0, t].SequenceEqual(cache[HookPoint.ResidMid(1), 0, t]));
            Assert.Equal(zeroed, cache[HookPoint.AttnOut(1), 0, t].All(x => x == 0));
        }
        int v = model.Config.VocabSize;
        Assert.Equal(plain.AsSpan(0, 4 * v).ToArray(), logits.AsSpan(0, 4 * v).ToArray());
        Assert.NotEqual(plain.AsSpan(4 * v).ToArray(), logits.AsSpan(4 * v).ToArray());
    }

    [Fact]
    public void HookNamesParseBothWays()
    {
        foreach (var p in HookPoint.WithBranches(3)) Assert.Equal(p, HookPoint.Parse(p.Name));
        Assert.Equal("blocks.2.hook_mlp_out", HookPoint.MlpOut(2).Name);
        Assert.Throws<ArgumentException>(() => HookPoint.Parse("blocks.0.hook_attn_in"));
    }

    static void AssertSum(float[] a, float[] b, float[] sum)
    {
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] + b[i] - sum[i]) <= 1e-5f * (1 + Math.Abs(sum[i])), $"element {i}: {a[i]} + {b[i]} ≠ {sum[i]}");
    }
}
