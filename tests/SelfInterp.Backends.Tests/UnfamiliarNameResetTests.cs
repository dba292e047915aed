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
