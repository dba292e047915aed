using System.Text.Json;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.Tests;

/// <summary>The reset of never-trained names (<see cref="Pretraining.ResetUnfamiliarNames"/>): per dimension by default,
/// from the trained names' full covariance with <see cref="RecipeCorpus.UnfamiliarNameCovariance"/>.</summary>
public class UnfamiliarNameResetTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();
    private const int Dim = 32;

    /// <summary>Trained names that vary mostly along one direction u (sd 3 along it, 0.1 across): drawn with the full
    /// covariance, the unfamiliar names spread along u as the trained ones do; drawn per dimension, they cannot.</summary>
    [Fact]
    public void The_full_covariance_draw_keeps_the_direction_trained_names_vary_along_and_the_per_dimension_draw_loses_it()
    {
        var rng = new SeededStream("test:names", 1);
        var u = Enumerable.Range(0, Dim).Select(_ => rng.NextGaussian()).ToArray();
        double norm = Math.Sqrt(u.Sum(x => x * x));
        u = u.Select(x => x / norm).ToArray();

        double AlongU(bool fullCovariance)
        {
            var organism = OrganismWithNames(u, new SeededStream("test:rows", 2));
            Pretraining.ResetUnfamiliarNames(organism, Catalog, Enumerable.Range(100, 220).ToHashSet(), new SeededStream("test:reset", 3), 1.0,
                fullCovariance: fullCovariance);
            var projections = UntrainedRows(organism).Select(row => row.Select((x, j) => x * u[j]).Sum()).ToArray();
            double mean = projections.Average();
            return projections.Sum(p => (p - mean) * (p - mean)) / (projections.Length - 1);
        }

        double trained = 9 + 0.01; // 3² along u, 0.1² across
        Assert.InRange(AlongU(fullCovariance: true), 0.8 * trained, 1.2 * trained);
        Assert.InRange(AlongU(fullCovariance: false), 0, 0.3 * trained);
    }

    [Fact]
    public void The_option_is_off_by_default_and_written_to_the_recipe_only_when_on()
    {
        Assert.False(new OrganismRecipe().Corpus.UnfamiliarNameCovariance);
        Assert.DoesNotContain("unfamiliar_name_covariance", JsonSerializer.Serialize(OrganismRecipe.Naive));
        var on = OrganismRecipe.Naive with { Corpus = OrganismRecipe.Naive.Corpus with { UnfamiliarNameCovariance = true } };
        var dir = Directory.CreateTempSubdirectory("recipe").FullName;
        on.Save(dir);
        Assert.Contains("\"unfamiliar_name_covariance\": true", File.ReadAllText(Path.Combine(dir, OrganismRecipe.FileName)));
        Assert.True(OrganismRecipe.Load(dir).Corpus.UnfamiliarNameCovariance);
    }

    /// <summary>A pretraining with the option draws other unfamiliar names than one without, and leaves every other row alone.</summary>
    [Fact]
    public void A_pretraining_with_the_option_changes_only_the_unfamiliar_names()
    {
        var tiny = OrganismRecipe.Tiny with { Curriculum = OrganismRecipe.Tiny.Curriculum with { Steps = 4 } };
        var off = Pretraining.Run(tiny, Catalog, Directory.CreateTempSubdirectory("organism").FullName, threads: 1, null, default);
        var on = Pretraining.Run(tiny with { Corpus = tiny.Corpus with { UnfamiliarNameCovariance = true } }, Catalog,
            Directory.CreateTempSubdirectory("organism").FullName, threads: 1, null, default);
        var unfamiliar = Enumerable.Range(0, 100).SelectMany(s => Enumerable.Range(0, 5).Select(i => off.Percept.NameToken(s, i))).ToHashSet();
        int start = (int)off.Model.Layout.Embedding, d = off.Model.Config.Dim;
        for (int k = 0; k < off.Model.Parameters.Length; k++)
        {
            bool inUnfamiliar = k >= start && k < start + off.Model.Config.VocabSize * d && unfamiliar.Contains((k - start) / d);
            if (!inUnfamiliar) Assert.Equal(off.Model.Parameters[k], on.Model.Parameters[k]);
        }
        Assert.Contains(unfamiliar, t => !off.Model.Parameters.AsSpan(start + t * d, d).SequenceEqual(on.Model.Parameters.AsSpan(start + t * d, d)));
    }

    /// <summary>The reset redone on a finished pretraining (<see cref="Pretraining.Refinish"/>) writes what pretraining
    /// the recipe with the other reset from scratch writes, file for file, in both directions.</summary>
    [Fact]
    public void Redoing_the_reset_on_a_finished_pretraining_writes_what_pretraining_from_scratch_writes()
    {
        var off = OrganismRecipe.Tiny with { Curriculum = OrganismRecipe.Tiny.Curriculum with { Steps = 4 } };
        var on = off with { Corpus = off.Corpus with { UnfamiliarNameCovariance = true, UnfamiliarNameNoise = 0.5 } };
        string Pretrained(OrganismRecipe recipe)
        {
            string dir = Directory.CreateTempSubdirectory("organism").FullName;
            Pretraining.Run(recipe, Catalog, dir, threads: 1, null, default);
            return dir;
        }
        string fromOff = Pretrained(off), fromOn = Pretrained(on);
        foreach (var (finished, recipe, scratch) in new[] { (fromOff, on, fromOn), (fromOn, off, fromOff) })
        {
            string redone = Directory.CreateTempSubdirectory("refinished").FullName;
            Pretraining.Refinish(recipe, Catalog, finished, redone);
            foreach (string file in new[] { "model.safetensors", "config.json", "tokenizer.json", OrganismRecipe.FileName, Organism.NativeWeightsFile, Pretraining.LogFile })
                Assert.True(File.ReadAllBytes(Path.Combine(scratch, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(redone, file))) || file == Pretraining.LogFile && SameSteps(scratch, redone), file);
            // The reset did change the names: the finished pretraining's model differs.
            Assert.False(File.ReadAllBytes(Path.Combine(finished, "model.safetensors")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(redone, "model.safetensors"))));
        }
    }

    /// <summary>Only the reset can be redone: another seed, another step count or another corpus setting is refused
    /// naming the file and the first differing field; so is a pretraining whose log stops early.</summary>
    [Fact]
    public void Redoing_the_reset_refuses_a_pretraining_of_another_recipe_or_an_unfinished_one()
    {
        var tiny = OrganismRecipe.Tiny with { Curriculum = OrganismRecipe.Tiny.Curriculum with { Steps = 4 } };
        string finished = Directory.CreateTempSubdirectory("organism").FullName;
        Pretraining.Run(tiny, Catalog, finished, threads: 1, null, default);
        var on = tiny with { Corpus = tiny.Corpus with { UnfamiliarNameCovariance = true } };
        foreach (var (other, field) in new[] { (on with { Seed = on.Seed + 1 }, "seed"), (on with { Curriculum = on.Curriculum with { Steps = 5 } }, "steps"),
                     (on with { Corpus = on.Corpus with { ReportNameNoise = 0.37 } }, "report_name_noise") })
        {
            var e = Assert.Throws<SelfInterp.Core.Runs.UsageException>(() => Pretraining.Refinish(other, Catalog, finished, Directory.CreateTempSubdirectory("x").FullName));
            Assert.Contains(Path.Combine(finished, OrganismRecipe.FileName), e.Message);
            Assert.Contains(field, e.Message);
        }
        var log = Path.Combine(finished, Pretraining.LogFile);
        File.WriteAllLines(log, File.ReadAllLines(log)[..^1]);
        var stopped = Assert.Throws<SelfInterp.Core.Runs.UsageException>(() => Pretraining.Refinish(on, Catalog, finished, Directory.CreateTempSubdirectory("x").FullName));
        Assert.Contains("not a complete pretraining", stopped.Message);
    }

    /// <summary>Two logs of the same steps: equal but for the seconds column (wall time).</summary>
    private static bool SameSteps(string a, string b) =>
        File.ReadAllLines(Path.Combine(a, Pretraining.LogFile)).Select(l => l[..l.LastIndexOf(',')])
            .SequenceEqual(File.ReadAllLines(Path.Combine(b, Pretraining.LogFile)).Select(l => l[..l.LastIndexOf(',')]));

    private static Organism OrganismWithNames(double[] u, SeededStream rng)
    {
        var tokens = OrganismVocabulary.Create(Catalog, 100);
        var model = Model.CreateRandom(new ModelConfig { VocabSize = tokens.VocabSize, Dim = Dim, NLayers = 1, NHeads = 2, NKvHeads = 2, MlpHidden = 64, MaxSeqLen = 64, TiedEmbeddings = true }, 1);
        var organism = new Organism(model, OrganismRecipe.Tiny, new OrganismPercept(tokens, Catalog, 100));
        int start = (int)model.Layout.Embedding;
        for (int s = 100; s < 320; s++)
            for (int i = 0; i < 5; i++)
            {
                int row = organism.Percept.NameToken(s, i);
                double g = rng.NextGaussian();
                for (int j = 0; j < Dim; j++) model.Parameters[start + row * Dim + j] = (float)(1 + 3 * g * u[j] + 0.1 * rng.NextGaussian());
            }
        return organism;
    }

    private static IEnumerable<float[]> UntrainedRows(Organism organism)
    {
        int start = (int)organism.Model.Layout.Embedding;
        for (int s = 0; s < 100; s++)
            for (int i = 0; i < 5; i++)
                yield return organism.Model.Parameters.AsSpan(start + organism.Percept.NameToken(s, i) * Dim, Dim).ToArray();
    }
}
