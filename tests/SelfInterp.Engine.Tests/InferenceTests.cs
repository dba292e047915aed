using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

public class InferenceTests
{
    static int ArgMaxLastRow(float[] logits, int vocab)
    {
        int rows = logits.Length / vocab, best = 0;
        var last = logits.AsSpan((rows - 1) * vocab, vocab);
        for (int i = 1; i < vocab; i++) if (last[i] > last[best]) best = i;
        return best;
    }

    [Fact]
    public void GreedyGenerationWithKvCacheEqualsFullRecomputation()
    {
        var config = TestModels.Tiny();
        var model = TestModels.Sharp(config, 21);
        var inference = new Inference(model);
        var prompt = TestModels.RandomTokens(new Rng(1, "prompt"), 7, config.VocabSize);
        var cached = inference.Generate(prompt, maxTokens: 25);

        var sequence = prompt.ToList();
        var recomputed = new List<int>();
        for (int i = 0; i < 25; i++)
        {
            int next = ArgMaxLastRow(inference.Logits(sequence.ToArray()), config.VocabSize);
            recomputed.Add(next);
            sequence.Add(next);
        }
        Assert.Equal(recomputed, cached);
        Assert.True(cached.Distinct().Count() >= 3, "generation too uniform to be a meaningful check");
    }

    [Fact]
    public void GenerationStopsAtStopTokenAndMaxTokens()
    {
        var config = TestModels.Tiny();
        var inference = new Inference(TestModels.Sharp(config, 22));
        var prompt = TestModels.RandomTokens(new Rng(2, "prompt"), 5, config.VocabSize);
        var free = inference.Generate(prompt, 12);
        Assert.Equal(12, free.Length);
        int stopAt = Array.IndexOf(free, free[4]);
        var stopped = inference.Generate(prompt, 12, [free[4]]);
        Assert.Equal(free[..(stopAt + 1)], stopped);
        Assert.Equal(config.MaxSeqLen - prompt.Length, inference.Generate(prompt, 1000).Length);
        // Issue 18: prompt length + int.MaxValue overflowed the KV-cache capacity (a 500 through the server).
        Assert.Equal(config.MaxSeqLen - prompt.Length, inference.Generate(prompt, int.MaxValue).Length);
        Assert.All(inference.GenerateBatch([prompt, prompt[..2]], int.MaxValue), g => Assert.True(g.Length <= config.MaxSeqLen));
    }

    [Fact]
    public void ScoreCandidatesAreLogSoftmaxOfLastLogits()
    {
        var config = TestModels.Tiny();
        var inference = new Inference(TestModels.Sharp(config, 23));
        var prompt = TestModels.RandomTokens(new Rng(3, "prompt"), 9, config.VocabSize);
        var scores = inference.ScoreCandidates(prompt, [3, 17]);
        var logits = inference.Logits(prompt).AsSpan((prompt.Length - 1) * config.VocabSize, config.VocabSize);
        double lse = Math.Log(logits.ToArray().Sum(v => Math.Exp(v)));
        Assert.Equal(logits[3] - lse, scores[0], 1e-4);
        Assert.Equal(logits[17] - lse, scores[1], 1e-4);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(0)]
    public void SharedPrefixScoringEqualsIndependentScoring(int prefixLength)
    {
        var config = TestModels.Tiny();
        var inference = new Inference(TestModels.Sharp(config, 24), maxBatch: 3);
        var rng = new Rng(4, "prompts");
        var prefix = TestModels.RandomTokens(rng, prefixLength, config.VocabSize);
        var suffixes = Enumerable.Range(0, 8).Select(i => TestModels.RandomTokens(rng, 1 + i % 5, config.VocabSize)).ToList();
        if (prefixLength > 0) suffixes.Add([]);
        TestModels.AssertSharedPrefixScoringMatches(inference, prefix, suffixes, [5, 6, 30]);
    }

    [Fact]
    public void InferenceLogitsGiveTheTrainingLoss()
    {
        var config = TestModels.Tiny();
        var model = TestModels.Sharp(config, 25);
        var rng = new Rng(5, "seqs");
        var seqs = new[] { TestModels.RandomTokens(rng, 10, config.VocabSize), TestModels.RandomTokens(rng, 6, config.VocabSize) };
        var batch = Batch.FromSequences(seqs, seqs.Select(s => Enumerable.Repeat(true, s.Length).ToArray()).ToList());
        float loss = model.Forward(batch);
        Assert.Equal(TestModels.MeanNextTokenLoss(new Inference(model), seqs, config.VocabSize), loss, 1e-3 * loss);
    }
}

public class ConcurrentInferenceTests
{
    [Theory]
    [MemberData(nameof(TestGemms.Names), MemberType = typeof(TestGemms))]
    public void SessionsOnSeveralThreadsShareOneModel(string gemm)
    {
        var config = TestModels.Tiny();
        var model = Model.CreateRandom(config, 51, new ModelOptions { Threads = 2, Gemm = TestGemms.Create(gemm, 2) });
        var rng = new Rng(52, "concurrent");
        var prompts = Enumerable.Range(0, 8).Select(i => TestModels.RandomTokens(rng, 20 + i, config.VocabSize)).ToArray();
        var sequential = prompts.Select(p => new Inference(model).Logits(p)).ToArray();
        var parallel = new float[prompts.Length][];
        Parallel.For(0, prompts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = new Inference(model).Logits(prompts[i]));
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(sequential[i], parallel[i]);
    }
}

public class BatchGenerationTests
{
    [Fact]
    public void BatchedGreedyGenerationEqualsOneByOne()
    {
        var config = TestModels.Tiny();
        var inference = new Inference(TestModels.Sharp(config, 61), maxBatch: 3);
        var rng = new Rng(62, "batch-gen");
        var prompts = Enumerable.Range(0, 7).Select(i => TestModels.RandomTokens(rng, 3 + 4 * i % 9, config.VocabSize)).ToList();
        var alone = prompts.Select(p => inference.Generate(p, 10)).ToList();
        int stop = alone[2][3];
        var batched = inference.GenerateBatch(prompts, 10);
        var stopped = inference.GenerateBatch(prompts, 10, [stop]);
        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(alone[i], batched[i]);
            Assert.Equal(inference.Generate(prompts[i], 10, [stop]), stopped[i]);
        }
        Assert.True(stopped.Count(s => s.Length < 10) >= 1, "the stop token should end at least one sequence early");
    }
}

public class InferenceInputTests
{
    [Fact]
    public void BadInputsAreRejectedWithClearMessages()
    {
        var config = TestModels.Tiny();
        var inference = new Inference(Model.CreateRandom(config, 71));
        Assert.Throws<ArgumentException>(() => inference.ScoreCandidates([], [1]));
        Assert.Throws<ArgumentException>(() => inference.Logits([]));
        Assert.Contains("outside vocab", Assert.Throws<ArgumentException>(() => inference.ScoreCandidates([1, 2], [config.VocabSize])).Message);
        Assert.Contains("outside vocab", Assert.Throws<ArgumentException>(() => inference.Logits([1, -3])).Message);
        Assert.Contains("max_seq_len", Assert.Throws<ArgumentException>(() => inference.Logits(new int[config.MaxSeqLen + 1])).Message);
    }
}
