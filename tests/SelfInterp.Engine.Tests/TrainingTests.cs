using SelfInterp.Engine.Training;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

public class TrainingTests
{
    static Batch RandomBatch(Rng rng, int count, int length, int vocab)
    {
        var seqs = Enumerable.Range(0, count).Select(i => TestModels.RandomTokens(rng, length - i % 3, vocab)).ToList();
        return Batch.FromSequences(seqs, seqs.Select(s => Enumerable.Repeat(true, s.Length).ToArray()).ToList());
    }

    [Fact]
    public void OverfitsATinyBatchToNearZeroLoss()
    {
        var config = TestModels.Tiny();
        var model = Model.CreateRandom(config, 1, new ModelOptions { Threads = 2 });
        var batch = RandomBatch(new Rng(2, "overfit"), 4, 12, config.VocabSize);
        var trainer = new Trainer(model, new TrainerOptions { Schedule = new LearningRateSchedule(1e-2f, 1e-3f, 10, 200), WeightDecay = 0 });
        float first = trainer.Step(batch).Loss, last = first;
        for (int i = 1; i < 200; i++) last = trainer.Step(batch).Loss;
        Assert.True(first > 3f, $"initial loss {first} should be near ln(40)");
        Assert.True(last < 0.05f, $"final loss {last}");
    }

    /// <summary>[BOS, a1..a6, SEP] → a1..a6, loss on the copy only; then greedy decoding on unseen sequences.</summary>
    [Fact]
    public void LearnsToCopyASequence()
    {
        const int bos = 1, sep = 2, symbols = 10, span = 6;
        var config = TestModels.Tiny(vocab: 3 + symbols) with { Dim = 48, MlpHidden = 96 };
        var model = Model.CreateRandom(config, 3, new ModelOptions { Threads = 2 });
        var rng = new Rng(4, "copy-data");
        (int[] Prompt, int[] Completion) Example()
        {
            var a = Enumerable.Range(0, span).Select(_ => 3 + rng.NextInt(symbols)).ToArray();
            return ([bos, .. a, sep], a);
        }
        var trainer = new Trainer(model, new TrainerOptions { Schedule = new LearningRateSchedule(3e-3f, 3e-4f, 30, 600), WeightDecay = 0 });
        for (int step = 0; step < 600; step++)
            trainer.Step(Batch.FromPromptCompletions(Enumerable.Range(0, 16).Select(_ => Example()).ToList()));

        var inference = new Inference(model);
        int correct = 0, total = 0;
        for (int i = 0; i < 50; i++)
        {
            var (prompt, answer) = Example();
            var output = inference.Generate(prompt, span);
            correct += output.Zip(answer).Count(p => p.First == p.Second);
            total += span;
        }
        Assert.True(correct >= 0.95 * total, $"copy accuracy {correct}/{total}");
    }

    [Fact]
    public void SameSeedAndThreadsGiveIdenticalParameters()
    {
        byte[] Run()
        {
            var config = TestModels.Tiny();
            var model = Model.CreateRandom(config, 9, new ModelOptions { Threads = 2 });
            var trainer = new Trainer(model, new TrainerOptions { Schedule = new LearningRateSchedule(1e-2f, 1e-3f, 2, 6) });
            var rng = new Rng(10, "det-data");
            for (int i = 0; i < 6; i++) trainer.Step(RandomBatch(rng, 5, 20, config.VocabSize));
            return System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.Parameters.AsSpan()).ToArray();
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a, b);
        var init = Model.CreateRandom(TestModels.Tiny(), 9).Parameters;
        Assert.NotEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(init.AsSpan()).ToArray(), a);
    }

    [Fact]
    public void LossIsTakenOnlyAtTargetPositions()
    {
        var config = TestModels.Tiny();
        var model = TestModels.Sharp(config, 12);
        int[] prompt = [5, 6, 7, 8], answer = [9, 10];
        var onlyAnswer = Batch.FromPromptCompletions([(prompt, answer)]);
        Assert.Equal(2, onlyAnswer.TargetCount);
        float loss = model.Forward(onlyAnswer);
        var inference = new Inference(model);
        double expected = -(inference.ScoreCandidates(prompt, [9])[0] + inference.ScoreCandidates([.. prompt, 9], [10])[0]) / 2;
        Assert.Equal(expected, loss, 1e-4);
    }

    /// <summary>A set target's loss is −log of the set's probability: with inference's log-probabilities,
    /// log Σ p over the set; a one-token set trains exactly like that token.</summary>
    [Fact]
    public void SetTargetsTakeTheLogOfTheSetsProbability()
    {
        var config = TestModels.Tiny();
        int[] sequence = [5, 6, 7, 8, 9];
        int[][] sets = [[3, 9, 11], [9]];
        var inference = new Inference(TestModels.Sharp(config, 12));
        var lp = inference.ScoreCandidates([5, 6, 7, 8], [3, 9, 11]);
        double expected = -Math.Log(lp.Sum(x => Math.Exp(x)));
        var model = TestModels.Sharp(config, 12);
        Assert.Equal(expected, model.Forward(Batch.FromSequences([sequence], [[-1, -1, -1, -1, Batch.AnyOf(0)]], sets)), 1e-4);

        (float Loss, float[] Grads) Run(int target)
        {
            var m = TestModels.Sharp(config, 12);
            m.ZeroGradients();
            float loss = m.Forward(Batch.FromSequences([sequence], [[-1, -1, 7, -1, target]], sets));
            m.Backward();
            return (loss, (float[])m.Gradients.Clone());
        }
        var (plainLoss, plainGrads) = Run(9);
        var (setLoss, setGrads) = Run(Batch.AnyOf(1));
        Assert.Equal(plainLoss, setLoss, 1e-6);
        Assert.Equal(plainGrads, setGrads);
    }

    [Fact]
    public void A_target_naming_a_set_the_batch_lacks_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Batch.FromSequences([[1, 2, 3]], [[-1, -1, Batch.AnyOf(1)]], [[4]]));
        Assert.Contains("target set 1", e.Message);
    }

    /// <summary>Right padding and a companion sequence without targets change neither loss nor gradients.</summary>
    [Fact]
    public void PaddingAndTargetlessCompanionsDoNotChangeLossOrGradients()
    {
        var config = TestModels.Tiny();
        var rng = new Rng(15, "padding");
        var s1 = TestModels.RandomTokens(rng, 9, config.VocabSize);
        var s2 = TestModels.RandomTokens(rng, 17, config.VocabSize);
        var mask1 = Enumerable.Range(0, 9).Select(i => i >= 4).ToArray();
        (float Loss, float[] Grads) Run(Batch batch)
        {
            var model = TestModels.Sharp(config, 16);
            model.ZeroGradients();
            float loss = model.Forward(batch);
            model.Backward();
            return (loss, (float[])model.Gradients.Clone());
        }
        var alone = Run(Batch.FromSequences([s1], [mask1]));
        var padded = Run(Batch.FromSequences([s2, s1], [new bool[17], mask1]));
        Assert.Equal(alone.Loss, padded.Loss, 1e-5);
        for (int i = 0; i < alone.Grads.Length; i++)
            Assert.True(Math.Abs(alone.Grads[i] - padded.Grads[i]) <= 1e-5f + 1e-4f * Math.Abs(alone.Grads[i]), $"gradient {i}: {alone.Grads[i]} vs {padded.Grads[i]}");
    }

    [Fact]
    public void ScheduleWarmsUpThenDecaysToMinimum()
    {
        var s = new LearningRateSchedule(1f, 0.1f, 4, 14);
        Assert.Equal(0.25f, s.At(0));
        Assert.Equal(1f, s.At(3));
        Assert.Equal(1f, s.At(4), 1e-6);
        Assert.Equal(0.55f, s.At(9), 1e-6);
        Assert.Equal(0.1f, s.At(14), 1e-6);
        Assert.True(s.At(6) > s.At(7));
    }

    [Fact]
    public void GradientClippingBoundsTheUpdateNorm()
    {
        var config = TestModels.Tiny();
        var model = TestModels.Sharp(config, 13);
        var batch = RandomBatch(new Rng(14, "clip"), 3, 10, config.VocabSize);
        model.ZeroGradients();
        model.Forward(batch);
        model.Backward();
        float raw = Trainer.GlobalNorm(model.Gradients, 2);
        Assert.True(raw > 1f, $"raw gradient norm {raw} too small for the test");
        var trainer = new Trainer(model, new TrainerOptions { GradClip = 0.5f });
        var r = trainer.Step(batch);
        Assert.Equal(raw, r.GradNorm, 1e-3 * raw);
        Assert.Equal(0.5f, Trainer.GlobalNorm(model.Gradients, 2), 1e-4);
    }
}

public class BatchesTests
{
    [Fact]
    public void EpochsAreSeededShufflesCoveringEveryExampleOnce()
    {
        var examples = Enumerable.Range(0, 10).Select(i => (new[] { 1, i + 2 }, new[] { i + 20 })).ToList();
        List<int> Order(ulong seed, int epoch) =>
            Batches.Epoch(examples, 3, seed, epoch).SelectMany(b => Enumerable.Range(0, b.Size).Select(s => b.Tokens[s * b.SeqLen + 1] - 2)).ToList();
        var a = Order(7, 0);
        Assert.Equal(Enumerable.Range(0, 10), a.OrderBy(x => x));
        Assert.Equal(a, Order(7, 0));
        Assert.NotEqual(a, Order(7, 1));
        Assert.Equal(new[] { 3, 3, 3, 1 }, Batches.Epoch(examples, 3, 7, 0).Select(b => b.Size));
        var first = Batches.Epoch(examples, 3, 7, 0).First();
        Assert.Equal(3, first.TargetCount); // one completion token per example
    }
}
