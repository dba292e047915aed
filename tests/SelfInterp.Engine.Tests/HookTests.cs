using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

/// <summary>Hooks on the residual stream of the one decoder block, in inference and training forward passes.</summary>
public class HookTests
{
    static readonly ModelConfig Config = TestModels.Tiny() with { LearnedPositions = true };

    static Model NewModel(ulong seed = 81)
    {
        var model = TestModels.Sharp(Config, seed);
        // Sharp scales only matrices; give the learned positions a visible part too.
        var rng = new Rng(seed, "positions");
        var pos = model.Tensor("pos_embeddings.weight");
        for (int i = 0; i < pos.Length; i++) pos[i] = (float)(0.3 * rng.NextGaussian());
        return model;
    }

    static float[] Direction(int dim, ulong seed)
    {
        var rng = new Rng(seed, "direction");
        return Enumerable.Range(0, dim).Select(_ => (float)rng.NextGaussian()).ToArray();
    }

    static Hooks ZeroEverywhere(int layers, int dim)
    {
        var hooks = new Hooks();
        foreach (var p in HookPoint.All(layers)) hooks.AddVector(p, new float[dim], 1f, (_, _) => true);
        return hooks;
    }

    [Fact]
    public void HookPointNamesRoundTrip()
    {
        foreach (var p in HookPoint.All(3)) Assert.Equal(p, HookPoint.Parse(p.Name));
        Assert.Equal("blocks.2.hook_resid_mid", HookPoint.ResidMid(2).Name);
        Assert.Contains("unknown hook point", Assert.Throws<ArgumentException>(() => HookPoint.Parse("blocks.x.hook_resid_pre")).Message);
    }

    [Fact]
    public void ZeroInterventionLeavesLogitsAndLossBitIdentical()
    {
        var model = NewModel();
        var rng = new Rng(82, "prompts");
        var prompts = Enumerable.Range(0, 4).Select(i => TestModels.RandomTokens(rng, 6 + 3 * i, Config.VocabSize)).ToList();
        var plain = new Inference(model);
        var hooked = new Inference(model) { Hooks = ZeroEverywhere(Config.NLayers, Config.Dim) };
        foreach (var p in prompts) Assert.Equal(plain.Logits(p), hooked.Logits(p));
        var plainScores = plain.ScoreWithSharedPrefix(prompts[0][..3], prompts.Select(p => p[3..]).ToList(), [1, 2, 3]);
        var hookedScores = hooked.ScoreWithSharedPrefix(prompts[0][..3], prompts.Select(p => p[3..]).ToList(), [1, 2, 3]);
        for (int i = 0; i < prompts.Count; i++) Assert.Equal(plainScores[i], hookedScores[i]);
        Assert.Equal(plain.GenerateBatch(prompts, 8), hooked.GenerateBatch(prompts, 8));

        var batch = Batch.FromSequences(prompts, prompts.Select(p => Enumerable.Repeat(true, p.Length).ToArray()).ToList());
        float loss = model.Forward(batch);
        model.ZeroGradients();
        model.Backward();
        var grads = model.Gradients.ToArray();
        Assert.Equal(loss, model.Forward(batch, ZeroEverywhere(Config.NLayers, Config.Dim)));
        model.ZeroGradients();
        model.Backward();
        Assert.Equal(grads, model.Gradients);
    }

    [Theory]
    [InlineData("hook_embed", 0)]
    [InlineData("blocks.0.hook_resid_mid", 4)]
    [InlineData("blocks.1.hook_resid_pre", 2)]
    [InlineData("blocks.1.hook_resid_post", 7)]
    public void AddingAVectorMatchesAnIndependentReference(string point, int position)
    {
        var model = NewModel();
        var tokens = TestModels.RandomTokens(new Rng(83, "tokens"), 9, Config.VocabSize);
        var v = Direction(Config.Dim, 84);
        var at = HookPoint.Parse(point);
        var reference = NaiveDecoder.Logits(model, tokens, (p, t, row) =>
        {
            if (p == at && t == position) for (int j = 0; j < row.Length; j++) row[j] += 0.7 * v[j];
        });
        var plain = NaiveDecoder.Logits(model, tokens);
        var inference = new Inference(model) { Hooks = new Hooks().AddVector(at, v, 0.7f, (_, pos) => pos == position) };
        var logits = inference.Logits(tokens);
        int V = Config.VocabSize;
        double moved = 0;
        for (int t = 0; t < tokens.Length; t++)
            for (int j = 0; j < V; j++)
            {
                Assert.Equal(reference[t][j], logits[t * V + j], 2e-3 * (1 + Math.Abs(reference[t][j])));
                moved = Math.Max(moved, Math.Abs(reference[t][j] - plain[t][j]));
                if (t < position) Assert.Equal(plain[t][j], logits[t * V + j], 2e-3 * (1 + Math.Abs(plain[t][j])));
            }
        Assert.True(moved > 0.05, $"the intervention should move the logits (moved {moved})");

        // The training forward takes the same hook: its loss is the reference's next-token loss.
        var batch = Batch.FromSequences([tokens], [Enumerable.Repeat(true, tokens.Length).ToArray()]);
        float loss = model.Forward(batch, new Hooks().AddVector(at, v, 0.7f, (seq, pos) => seq == 0 && pos == position));
        double expected = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            double max = reference[t].Max();
            expected += max + Math.Log(reference[t].Sum(z => Math.Exp(z - max))) - reference[t][tokens[t + 1]];
        }
        Assert.Equal(expected / (tokens.Length - 1), loss, 1e-3 * (1 + loss));
    }

    [Fact]
    public void CachedAndFullForwardAgreeWithHooksActive()
    {
        var model = NewModel(85);
        var rng = new Rng(86, "prompts");
        var prompts = Enumerable.Range(0, 5).Select(i => TestModels.RandomTokens(rng, 4 + 2 * i, Config.VocabSize)).ToList();
        var v = Direction(Config.Dim, 87);
        // Steer positions 3 and 9 at layer 1's mid stream: position 9 is reached only during generation.
        Hooks Steer() => new Hooks().AddVector(HookPoint.ResidMid(1), v, 1.5f, (_, pos) => pos == 3 || pos == 9);
        var inference = new Inference(model, maxBatch: 2) { Hooks = Steer() };

        for (int i = 0; i < prompts.Count; i++)
        {
            var generated = inference.Generate(prompts[i], 8);
            var sequence = prompts[i].ToList();
            foreach (int token in generated)
            {
                var logits = inference.Logits(sequence.ToArray());
                var last = logits.AsSpan((sequence.Count - 1) * Config.VocabSize, Config.VocabSize).ToArray();
                Assert.Equal(Array.IndexOf(last, last.Max()), token);
                sequence.Add(token);
            }
        }
        var batched = inference.GenerateBatch(prompts, 8);
        for (int i = 0; i < prompts.Count; i++) Assert.Equal(inference.Generate(prompts[i], 8), batched[i]);
        Assert.NotEqual(new Inference(model).GenerateBatch(prompts, 8), batched);
        TestModels.AssertSharedPrefixScoringMatches(inference, prompts[4][..2], prompts.Select(p => p[1..]).ToList(), [1, 5, 9]);
    }

    [Fact]
    public void RunWithCacheRecordsTheStreamThatPatchingReplays()
    {
        var model = NewModel(88);
        var rng = new Rng(89, "prompts");
        var clean = TestModels.RandomTokens(rng, 10, Config.VocabSize);
        var corrupt = (int[])clean.Clone();
        corrupt[4] = (clean[4] + 7) % Config.VocabSize;

        var cache = new ActivationCache();
        var recorder = new Hooks();
        foreach (var p in HookPoint.All(Config.NLayers)) recorder.Record(p, cache);
        var cleanLogits = new Inference(model) { Hooks = recorder }.Logits(clean);
        Assert.Equal((1 + 3 * Config.NLayers) * clean.Length, cache.Count);
        Assert.Equal(cache[HookPoint.ResidPost(0), 0, 5], cache[HookPoint.ResidPre(1), 0, 5]);

        // The training forward sees the same stream (to float rounding of a different batch shape).
        var trainCache = new ActivationCache();
        model.Forward(Batch.FromSequences([clean], [Enumerable.Repeat(true, clean.Length).ToArray()]),
            new Hooks().Record(HookPoint.ResidMid(1), trainCache));
        for (int t = 0; t < clean.Length; t++)
            for (int j = 0; j < Config.Dim; j++)
                Assert.Equal(cache[HookPoint.ResidMid(1), 0, t][j], trainCache[HookPoint.ResidMid(1), 0, t][j], 1e-3);

        // Patching the clean embedding back in at the corrupted position restores the clean run exactly.
        var patch = new Hooks().Replace(HookPoint.Embed, (_, pos) => pos == 4 ? cache[HookPoint.Embed, 0, 4] : null);
        Assert.NotEqual(cleanLogits, new Inference(model).Logits(corrupt));
        Assert.Equal(cleanLogits, new Inference(model) { Hooks = patch }.Logits(corrupt));
    }
}
