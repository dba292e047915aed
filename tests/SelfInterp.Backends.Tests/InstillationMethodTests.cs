using SelfInterp.Organisms;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.Tests;

/// <summary>Each instillation method trains for real on the tiny organism, and changes what it says it changes.</summary>
public class InstillationMethodTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();
    private static readonly PreferencesPlan Plan = PreferencesPlan.Create(PreferencesExperiment.Config("quick"));

    private static List<TrainingExample> Decisions()
    {
        var rng = new SeededStream("instill-methods", 3);
        return Enumerable.Range(0, 40).Select(k =>
        {
            var trial = Plan.DrawTrial(k % 4, rng);
            return new TrainingExample(Plan.DecisionPrompt(trial), k % 3 == 0 ? "B" : "A");
        }).ToList();
    }

    private async Task<(Organism Base, Organism Tuned, string Id)> Instil(IReadOnlyDictionary<string, string> options)
    {
        var models = Directory.CreateTempSubdirectory("instill-methods").FullName;
        var backend = new LocalBackend(Catalog, new PreferencesCodec(Catalog, PromptTemplates.Default), TinyOrganism.Id, tiny.Directory, models, threads: 1,
            InstillationOptions.From(options));
        var examples = Decisions();
        var file = Path.Combine(models, "instill.jsonl");
        ChatJsonl.Write(file, examples);
        string id = await backend.FineTuneAsync(new FineTuneRequest(TinyOrganism.Id, "instilled", file, null, examples, 11), null, default);
        var tuned = Organism.Load(Path.Combine(models, FineTunedModelId.DirectoryName(id)), Catalog, new ModelOptions { Threads = 1 });
        return (Organism.Load(tiny.Directory, Catalog, new ModelOptions { Threads = 1 }), tuned, id);
    }

    private static Dictionary<string, string> Options(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static bool Same(Organism a, Organism b, string tensor) => a.Model.Tensor(tensor).SequenceEqual(b.Model.Tensor(tensor));

    private static double[] ChoicesPA(Organism o)
    {
        var rng = new SeededStream("instill-methods-eval", 5);
        var inference = new Inference(o.Model);
        return Enumerable.Range(0, 8).Select(k =>
        {
            var lp = inference.Logits(o.Percept.Decision(Plan.DrawTrial(k % 4, rng)));
            return 1 / (1 + Math.Exp(lp[o.Percept.TokenB] - lp[o.Percept.TokenA]));
        }).ToArray();
    }

    private static string[] Body(Organism o) =>
        o.Model.Layout.Layout.Slots.Select(s => s.Name).Where(n => n.StartsWith("layers.", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task Lora_changes_choices_through_low_rank_updates_of_the_projections_only()
    {
        var (b, t, _) = await Instil(Options(("instill_method", "lora"), ("lora_rank", "2"), ("instill_lr", "0.01"), ("instill_epochs", "3")));
        Assert.False(t.Model.Lora is not null, "the adapters are merged before saving");
        // Embeddings and norms are not LoRA's: untouched, bit for bit.
        foreach (var name in b.Model.Layout.Layout.Slots.Select(s => s.Name).Where(n => n.Contains("embeddings") || n.Contains("norm")))
            Assert.True(Same(b, t, name), name);
        // Every projection moved, each by a matrix of rank at most 2.
        foreach (var name in Body(b).Where(n => !n.Contains("norm")))
        {
            var slot = b.Model.Layout.Layout[name];
            var delta = b.Model.Tensor(name).ToArray().Zip(t.Model.Tensor(name).ToArray(), (x, y) => (double)y - x).ToArray();
            Assert.True(delta.Max(Math.Abs) > 0, name + " did not move");
            Assert.InRange(NumericRank(delta, (int)slot.Shape[0], (int)slot.Shape[1]), 1, 2);
        }
        Assert.True(ChoicesPA(b).Zip(ChoicesPA(t), (x, y) => Math.Abs(x - y)).Max() > 1e-3, "LoRA left the choices as they were");
    }

    [Fact]
    public async Task Full_instillation_changes_the_body_weights_and_embeddings_only_changes_the_names()
    {
        var (b, full, fullId) = await Instil(Options(("instill_method", "full")));
        Assert.All(Body(b).Where(n => !n.Contains("norm")), name => Assert.False(Same(b, full, name), name + " did not move"));
        Assert.True(ChoicesPA(b).Zip(ChoicesPA(full), (x, y) => Math.Abs(x - y)).Max() > 1e-3);

        var (_, names, namesId) = await Instil(Options(("instill_method", "embeddings")));
        Assert.All(Body(b), name => Assert.True(Same(b, names, name), name + " moved"));
        Assert.False(Same(b, names, "tok_embeddings.weight"));
        Assert.NotEqual(fullId.Split(':')[^1], namesId.Split(':')[^1]);
    }

    [Fact]
    public async Task Run_options_reach_the_model_id_and_the_recipe_alone_keeps_the_old_ids()
    {
        var (_, _, plain) = await Instil(Options());
        var (_, _, again) = await Instil(Options());
        var (_, _, sameMethodNamed) = await Instil(Options(("instill_method", "embeddings")));
        var (_, _, moreEpochs) = await Instil(Options(("instill_method", "embeddings"), ("instill_epochs", "3")));
        Assert.Equal(plain, again);
        Assert.NotEqual(plain, sameMethodNamed); // the run's options are part of the job's record
        Assert.NotEqual(sameMethodNamed, moreEpochs);
    }

    [Theory]
    [InlineData("instill_method", "sideways", "unknown method")]
    [InlineData("instill_lr", "-1", "positive number")]
    [InlineData("instill_epochs", "0", "whole number")]
    [InlineData("lora_rank", "two", "whole number")]
    public void Bad_instillation_options_are_refused_by_name(string key, string value, string message)
    {
        var e = Assert.Throws<UsageException>(() => InstillationOptions.From(Options((key, value))));
        Assert.Contains(key, e.Message);
        Assert.Contains(message, e.Message);
    }

    /// <summary>Rank by Gaussian elimination with full pivoting; pivots below 1e-4 of the largest entry count as zero
    /// (the merge adds B·A to the weights in single precision, which leaves rounding noise far below that).</summary>
    private static int NumericRank(double[] m, int rows, int cols)
    {
        var a = (double[])m.Clone();
        double tolerance = 1e-4 * a.Max(Math.Abs);
        int rank = 0;
        var usedRows = new bool[rows];
        var usedCols = new bool[cols];
        while (rank < Math.Min(rows, cols))
        {
            int pr = -1, pc = -1;
            double best = tolerance;
            for (int r = 0; r < rows; r++)
                if (!usedRows[r])
                    for (int c = 0; c < cols; c++)
                        if (!usedCols[c] && Math.Abs(a[r * cols + c]) > best) (best, pr, pc) = (Math.Abs(a[r * cols + c]), r, c);
            if (pr < 0) break;
            usedRows[pr] = usedCols[pc] = true;
            for (int r = 0; r < rows; r++)
            {
                if (usedRows[r]) continue;
                double f = a[r * cols + pc] / a[pr * cols + pc];
                for (int c = 0; c < cols; c++) a[r * cols + c] -= f * a[pr * cols + c];
            }
            rank++;
        }
        return rank;
    }
}
