using SelfInterp.Experiments;
using SelfInterp.Organisms;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Datasets;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.Checkpoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.Tests;

/// <summary>The recipe's optional parts: learned positions, the stated-weight curriculum, late reports, names-only report slots, the
/// accuracy guard and the "body" introspection training.</summary>
public class PretrainingRecipeTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    private static readonly OrganismRecipe Curriculum = OrganismRecipe.Tiny with
    {
        Shape = OrganismRecipe.Tiny.Shape with { LearnedPositions = true },
        Curriculum = OrganismRecipe.Tiny.Curriculum with { StatedWeightsAllUntil = 0.2, StatedWeightsFraction = 0.3, StatedWeightsUntil = 0.5, ReportsFrom = 0.5 },
        Corpus = OrganismRecipe.Tiny.Corpus with { NativeNameShare = 0.3 },
    };

    [Fact]
    public void Curriculum_schedule_states_every_slot_then_a_share_then_none()
    {
        var r = Curriculum with { Curriculum = Curriculum.Curriculum with { Steps = 100 } };
        Assert.Equal(1.0, Pretraining.StatedShare(r, 0));
        Assert.Equal(1.0, Pretraining.StatedShare(r, 19));
        Assert.Equal(0.3, Pretraining.StatedShare(r, 20));
        Assert.Equal(0.3, Pretraining.StatedShare(r, 49));
        Assert.Equal(0.0, Pretraining.StatedShare(r, 50));
        Assert.Equal(0.0, Pretraining.StatedShare(r with { Curriculum = r.Curriculum with { StatedWeightsAllUntil = 0, StatedWeightsUntil = 0 } }, 0));
    }

    [Fact]
    public void Stated_weights_replace_names_by_the_token_of_their_own_weight()
    {
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100, statedWeights: true), Catalog, 100);
        var trial = PreferencesPlan.Create(PreferencesExperiment.Config("quick")).DrawTrial(150, new SeededStream("t", 1));
        int[] w = [-100, -3, 0, 42, 100];
        var rng = new SeededStream("stated", 2);

        var all = Pretraining.StateWeights(percept, percept.See(trial), w, 1.0, rng);
        for (int i = 0; i < 5; i++) Assert.Equal(percept.StatedWeightToken(w[i]), all[i].Name);
        Assert.Equal(percept.See(trial).Select(x => (x.LevelA, x.LevelB)), all.Select(x => (x.LevelA, x.LevelB)));
        Assert.Equal(percept.See(trial), Pretraining.StateWeights(percept, percept.See(trial), w, 0.0, rng));

        int replaced = 0;
        for (int k = 0; k < 400; k++)
            replaced += Pretraining.StateWeights(percept, percept.See(trial), w, 0.3, rng).Count(x => x.Name >= percept.StatedWeightToken(-100) && x.Name <= percept.StatedWeightToken(100));
        Assert.InRange(replaced / 2000.0, 0.26, 0.34);
        Assert.Equal(201, percept.StatedWeightToken(100) - percept.StatedWeightToken(-100) + 1);
    }

    [Fact]
    public void Curriculum_recipe_pretrains_a_model_with_learned_positions_and_weight_tokens_on_a_line()
    {
        var dir = Directory.CreateTempSubdirectory("organism").FullName;
        var organism = Pretraining.Run(Curriculum, Catalog, dir, threads: 1, null, default);
        var loaded = Organism.Load(dir, Catalog);
        Assert.True(loaded.Model.Config.LearnedPositions);
        Assert.Equal(organism.Model.Parameters, loaded.Model.Parameters);
        Assert.Equal(["0", "29"], File.ReadAllLines(Path.Combine(dir, "pretrain_log.csv")).Skip(1).Select(l => l.Split(',')[0]));

        // The 201 weight rows stay on a line: row(w) = base + (w/100)·direction.
        int d = loaded.Model.Config.Dim;
        var emb = loaded.Model.Tensor("tok_embeddings.weight").ToArray();
        float[] Row(int w) => emb.AsSpan(loaded.Percept.StatedWeightToken(w) * d, d).ToArray();
        var (low, mid, high) = (Row(-100), Row(0), Row(100));
        Assert.True(high.Zip(low).Any(p => MathF.Abs(p.First - p.Second) > 1e-3f), "weight line has no direction");
        foreach (int w in new[] { -77, -1, 13, 64 })
        {
            var row = Row(w);
            for (int j = 0; j < d; j++) Assert.Equal(mid[j] + w / 100f * (high[j] - mid[j]), row[j], 1e-4);
        }
    }

    /// <summary>Name noise is put back after the reports' backward: with nothing learnt (lr 0) the model is the one
    /// made without noise, bit for bit; with learning, the reports' gradients were taken at noisy names.</summary>
    [Fact]
    public void Report_name_noise_is_seen_by_reports_only_and_leaves_the_names_clean()
    {
        float[] Pretrain(OrganismRecipe r) =>
            Pretraining.Run(r, Catalog, Directory.CreateTempSubdirectory("organism").FullName, threads: 1, null, default).Model.Parameters.ToArray();
        OrganismRecipe Noise(OrganismRecipe r, double noise) => r with { Corpus = r.Corpus with { ReportNameNoise = noise } };
        var tiny = OrganismRecipe.Tiny;
        var still = Noise(tiny with { Curriculum = tiny.Curriculum with { LearningRate = 0, Steps = 6 } }, 0);
        Assert.Equal(Pretrain(still), Pretrain(Noise(still, 0.5)));
        var learning = Noise(tiny with { Curriculum = tiny.Curriculum with { Steps = 6 } }, 0);
        Assert.NotEqual(Pretrain(learning), Pretrain(Noise(learning, 0.5)));
    }

    [Fact]
    public void Accuracy_guard_stops_a_model_still_at_chance_with_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("organism").FullName;
        var e = Assert.Throws<PretrainingStalledException>(() =>
            Pretraining.Run(OrganismRecipe.Tiny with { Curriculum = OrganismRecipe.Tiny.Curriculum with { AccuracyGuard = [0.5, 0.99] } }, Catalog, dir, threads: 1, null, default));
        Assert.Contains("step 15 of 30", e.Message);
        Assert.Contains("try another seed", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "model.safetensors")));
        Assert.Contains("\n15,", File.ReadAllText(Path.Combine(dir, "pretrain_log.csv")));
    }

    [Theory]
    [InlineData("body")]
    [InlineData("mlp")]
    public async Task Partial_introspection_training_keeps_the_frozen_tensors_and_changes_the_rest(string method)
    {
        var dir = Directory.CreateTempSubdirectory("organism").FullName;
        Pretraining.Run(OrganismRecipe.Tiny with { Introspection = OrganismRecipe.Tiny.Introspection with { Method = method, Replay = 3 } }, Catalog, dir, threads: 1, null, default);
        var config = TinyOrganism.RunConfig(dir);
        var run = RunDirectory.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory().FullName, "run"), config);
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, default, checks: ReplyChecks.Off);

        Model Load(string key) => Checkpoint.Load(Path.Combine(run.Path, "models", FineTunedModelId.DirectoryName(run.Model(key).Id!)));
        var instilled = Load(PreferencesStages.InstilledKey);
        var itrained = Load(PreferencesStages.ItrainedAllKey);
        bool Same(string tensor) => instilled.Tensor(tensor).SequenceEqual(itrained.Tensor(tensor));
        Assert.True(Same("tok_embeddings.weight"));
        Assert.False(Same("layers.0.feed_forward.w2.weight"));
        Assert.Equal(method == "mlp", Same("layers.0.attention.wq.weight"));
        Assert.Equal(method == "mlp", Same("norm.weight"));
    }

    [Theory]
    [InlineData(25, 25)]
    [InlineData(0, 2)]
    public async Task Introspection_training_on_a_small_file_runs_at_least_the_minimum_steps(int minSteps, int expectedEpochs)
    {
        var dir = Directory.CreateTempSubdirectory("organism").FullName;
        Pretraining.Run(OrganismRecipe.Tiny with { Introspection = OrganismRecipe.Tiny.Introspection with { MinSteps = minSteps } }, Catalog, dir, threads: 1, null, default);
        var config = TinyOrganism.RunConfig(dir);
        var data = DatasetBuilder.Build(PreferencesPlan.Create(config), Directory.CreateTempSubdirectory("data").FullName);
        var backend = new LocalBackend(Catalog, new SelfInterp.Experiments.Preferences.Prompts.PreferencesCodec(Catalog, SelfInterp.Experiments.Preferences.Prompts.PromptTemplates.Default), TinyOrganism.Id, dir,
            Directory.CreateTempSubdirectory("models").FullName, threads: 1);
        var epochs = new List<double>();
        // Two examples in batches of 10: one step an epoch, so the epochs counted are the steps taken.
        await backend.FineTuneAsync(new FineTuneRequest(TinyOrganism.Id, "itrain_first", data.First.File, null, data.First.Examples, 7),
            new SynchronousProgress(epochs), default);
        Assert.Equal(2, data.First.Examples.Count);
        Assert.Equal(expectedEpochs, epochs.Count);
        Assert.Equal(1.0, epochs[^1]);
    }

    private sealed class SynchronousProgress(List<double> values) : IProgress<double>
    {
        public void Report(double value) => values.Add(value);
    }

    [Theory]
    [InlineData("instill_method", "\"sideways\"")]
    [InlineData("itrain_method", "\"all\"")]
    [InlineData("reports_from", "1.5")]
    [InlineData("accuracy_guard", "[0.4]")]
    [InlineData("native_name_share", "-0.1")]
    [InlineData("report_name_noise", "-1")]
    public void A_recipe_with_a_value_a_run_cannot_use_is_refused_naming_file_and_field(string field, string value)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("recipe").FullName, OrganismRecipe.FileName);
        File.WriteAllText(path, $"{{ \"seed\": 1, \"{field}\": {value} }}");
        var e = Assert.Throws<SelfInterp.Core.IO.DataFileException>(() => OrganismRecipe.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(field, e.Field);
    }
}

public class ReportReplayTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Fact]
    public void Replay_draws_seeded_reports_of_the_report_scenarios_with_their_native_weights()
    {
        var organism = Organism.Load(tiny.Directory, Catalog);
        var first = new ReportReplay(organism, Catalog, new SeededStream("replay", 3)).Draw(40).ToList();
        var again = new ReportReplay(organism, Catalog, new SeededStream("replay", 3)).Draw(40).ToList();
        Assert.Equal(first.SelectMany(x => x.Prompt.Concat(x.Answer)), again.SelectMany(x => x.Prompt.Concat(x.Answer)));

        var p = organism.Percept;
        var native = File.ReadAllLines(Path.Combine(tiny.Directory, Organism.NativeWeightsFile)).Skip(1)
            .Select(l => l.Split(',').Select(int.Parse).ToArray()).ToDictionary(x => x[0], x => x[1..]);
        var weightOf = new Dictionary<int, int>();
        for (int s = OrganismRecipe.Tiny.Corpus.ReportScenarios[0]; s < OrganismRecipe.Tiny.Corpus.ReportScenarios[1]; s++)
            for (int i = 0; i < 5; i++) weightOf[p.NameToken(s, i)] = native[s][i];
        foreach (var (prompt, answer, _) in first)
        {
            Assert.Equal(p.AnswerToken, prompt[^1]);
            // A mixed report's names come from several scenarios (possibly one twice): read it as plain JSON.
            var reported = System.Text.Json.JsonDocument.Parse(p.ReportText(answer)).RootElement.EnumerateObject().ToArray();
            var names = answer.Where(p.IsName).ToArray();
            Assert.Equal(names, prompt.Skip(1).Take(5));
            Assert.Equal(names.Select(t => p.Tokens.TokenText(t)), reported.Select(x => x.Name));
            for (int i = 0; i < 5; i++) Assert.Equal(weightOf[names[i]], reported[i].Value.GetInt32());
        }
    }
}

public class SyntheticScenarioTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Fact]
    public void Synthetic_scenarios_add_their_own_names_and_are_decided_and_reported_but_never_saved_as_native()
    {
        var recipe = OrganismRecipe.Tiny with { Corpus = OrganismRecipe.Tiny.Corpus with { SyntheticScenarios = 30 } };
        var dir = Directory.CreateTempSubdirectory("organism").FullName;
        Pretraining.Run(recipe, Catalog, dir, threads: 1, null, default);
        var organism = Organism.Load(dir, Catalog);
        var p = organism.Percept;
        var synthetic = Enumerable.Range(0, 30).SelectMany(j => Enumerable.Range(0, 5).Select(i => p.SyntheticNameToken(j, i))).ToArray();
        Assert.Equal(150, synthetic.Distinct().Count());
        Assert.All(synthetic, t => Assert.True(p.IsName(t)));
        Assert.Equal("synthetic_bd_e", p.Tokens.TokenText(p.SyntheticNameToken(29, 4)));

        // native_weights.csv keeps to the catalog; the synthetic weights live only in pretraining (and its rehearsal).
        var ids = File.ReadAllLines(Path.Combine(dir, Organism.NativeWeightsFile)).Skip(1).Select(l => int.Parse(l.Split(',')[0])).ToArray();
        Assert.All(ids, id => Assert.InRange(id, 100, 319));
        var native = Pretraining.NativeWeights(recipe, Catalog);
        Assert.Equal(220 + 30, native.Count);
        Assert.Equal(Pretraining.NativeWeights(OrganismRecipe.Tiny, Catalog)[150], native[150]);

        // Rehearsed reports draw synthetic names too, with their own weights.
        var replays = new ReportReplay(organism, Catalog, new SeededStream("replay", 5)).Draw(200).ToList();
        var reported = replays.SelectMany(r => r.Answer).Where(p.IsName).ToHashSet();
        Assert.Contains(reported, synthetic.Contains);
        var (prompt, answer, _) = replays.First(r => r.Answer.Any(synthetic.Contains));
        var json = System.Text.Json.JsonDocument.Parse(p.ReportText(answer)).RootElement.EnumerateObject().ToArray();
        for (int k = 0; k < 5; k++)
        {
            int token = answer.Where(p.IsName).ElementAt(k);
            int at = Array.IndexOf(synthetic, token);
            if (at >= 0) Assert.Equal(native[Pretraining.SyntheticBase + at / 5][at % 5], json[k].Value.GetInt32());
        }
    }
}

/// <summary>Names-only report slots (<see cref="OrganismRecipe.NativeNameShare"/>).</summary>
public class NativeNameReportTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();
    private static readonly OrganismPercept Percept = new(OrganismVocabulary.Create(Catalog, 100, statedWeights: false), Catalog, 100, fixedWidthValues: true);
    private static readonly Dictionary<int, int[]> Native = Pretraining.NativeWeights(OrganismRecipe.Tiny, Catalog);
    private static readonly int[] ReportIds = Pretraining.ReportPool(OrganismRecipe.Tiny, Catalog);
    private static readonly int[] NativeOnly = Enumerable.Range(100, 100).ToArray();

    [Fact]
    public void Untrained_values_are_trained_only_as_a_sign_then_digits()
    {
        int[] names = [.. Enumerable.Range(0, 5).Select(i => Percept.NameToken(150, i))];
        var answer = Percept.ReportAnswer(names, [-100, 5, 0, 42, 100]);
        var targets = Percept.ReportAnswerTargets(answer, [true, false, true, true, false]);
        // { n : s d d d , n : ... } eos — fixed width: entry k's value is at 1 + 7k + 2 .. + 5.
        var expected = answer.ToArray();
        foreach (int k in new[] { 1, 4 })
        {
            expected[1 + 7 * k + 2] = Batch.AnyOf(0);
            for (int c = 1; c < 4; c++) expected[1 + 7 * k + 2 + c] = Batch.AnyOf(1);
        }
        Assert.Equal(expected, targets);
        Assert.Equal(answer, Percept.ReportAnswerTargets(answer, [true, true, true, true, true]));
        Assert.Equal(["+", "-"], Percept.ValueFormatSets[0].Select(Percept.Tokens.TokenText));
        Assert.Equal("0123456789", string.Concat(Percept.ValueFormatSets[1].Select(Percept.Tokens.TokenText)));

        // Values of their own length (not fixed width) have no kind per place: no loss then.
        var free = new OrganismPercept(Percept.Tokens, Catalog, 100, fixedWidthValues: false);
        var freeAnswer = free.ReportAnswer(names, [-100, 5, 0, 42, 100]);
        var freeTargets = free.ReportAnswerTargets(freeAnswer, [false, true, true, true, true]);
        Assert.Equal([Batch.IgnoreIndex, Batch.IgnoreIndex, Batch.IgnoreIndex, Batch.IgnoreIndex], freeTargets[3..7]);
        Assert.Equal(freeAnswer[7..], freeTargets[7..]);
    }

    [Fact]
    public void Names_only_slots_copy_native_names_and_leave_their_values_out_of_the_loss()
    {
        var nameOf = NativeOnly.SelectMany(s => Enumerable.Range(0, 5).Select(i => (Token: Percept.NameToken(s, i), s, i))).ToDictionary(x => x.Token, x => (x.s, x.i));
        var reported = ReportIds.SelectMany(s => Enumerable.Range(0, 5).Select(i => (Token: Percept.NameToken(s, i), W: Native[s][i]))).ToDictionary(x => x.Token, x => x.W);
        var rng = new SeededStream("names_only", 4);
        int namesOnly = 0, slots = 0, wholeNative = 0;
        for (int n = 0; n < 400; n++)
        {
            var (prompt, answer, targets) = Pretraining.ReportExample(Percept, Catalog, Native, ReportIds, 0.75, rng, NativeOnly, 0.4);
            var names = answer.Where(Percept.IsName).ToArray();
            Assert.Equal(names, prompt.Skip(1).Take(5));
            var json = System.Text.Json.JsonDocument.Parse(Percept.ReportText(answer)).RootElement.EnumerateObject().ToArray();
            for (int k = 0; k < 5; k++)
            {
                slots++;
                var value = Enumerable.Range(1 + 7 * k + 2, 4);
                Assert.Equal(names[k], targets[1 + 7 * k]);
                if (nameOf.ContainsKey(names[k]))
                {
                    namesOnly++;
                    Assert.All(value, t => Assert.True(Batch.SetOf(targets[t]) >= 0, "a names-only value is trained only as its kind"));
                    Assert.InRange(json[k].Value.GetInt32(), -100, 100);
                }
                else
                {
                    Assert.All(value, t => Assert.Equal(answer[t], targets[t]));
                    Assert.Equal(reported[names[k]], json[k].Value.GetInt32());
                }
            }
            if (names.All(nameOf.ContainsKey) && names.Select(t => nameOf[t].s).Distinct().Count() == 1) wholeNative++;
        }
        Assert.InRange(namesOnly / (double)slots, 0.33, 0.47);
        Assert.InRange(wholeNative, 20, 60);  // one-scenario reports (25%) of a names-only scenario (40%): about 40 of 400
    }

    [Fact]
    public void Without_names_only_slots_the_draws_are_those_of_a_recipe_that_never_had_them()
    {
        var a = new SeededStream("same", 9);
        var b = new SeededStream("same", 9);
        for (int n = 0; n < 50; n++)
        {
            var with = Pretraining.ReportExample(Percept, Catalog, Native, ReportIds, 0.75, a, NativeOnly, 0);
            var without = Pretraining.ReportExample(Percept, Catalog, Native, ReportIds, 0.75, b);
            Assert.Equal(without.Prompt, with.Prompt);
            Assert.Equal(without.Answer, with.Answer);
            Assert.Equal(with.Answer, with.Targets);
        }
    }
}
