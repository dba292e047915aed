using System.Text.Json;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;

namespace SelfInterp.Backends.Tests;

/// <summary>The behaviour families (<see cref="BehaviourFamily"/>): each kind's behaviour follows its entity's latent,
/// entity names learn from behaviour only, and families are data in recipe.json.</summary>
public class BehaviourFamilyTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Theory]
    [InlineData("rating", 1)]
    [InlineData("rating", -1)]
    [InlineData("threshold", 1)]
    [InlineData("lottery", 1)]
    [InlineData("lottery", -1)]
    [InlineData("estimation", 1)]
    [InlineData("weighted_choice", 1)]
    public void Each_kinds_behaviour_follows_the_latent_with_the_sign_of_its_gain(string kind, double gain)
    {
        var family = new BehaviourFamily { Name = "fam", Kind = kind, Gain = gain, Entities = 60, Attributes = kind == "weighted_choice" ? 3 : 0, Probability = kind == "lottery" ? 0.5 : 0 };
        var recipe = OrganismRecipe.Tiny with { Families = new RecipeFamilies { Families = [family], BatchBehaviours = 4 } };
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100, families: [family]), Catalog, 100, true);
        var corpus = new FamilyCorpus(recipe, percept);
        var (tokens, latents) = corpus.Entities("fam");
        var rng = new SeededStream("test:behaviour", 1);
        // Per entity, the mean answer (a digit's value, or 1 for A): it must move with the latent, in the direction its kind says.
        var answers = tokens.ToDictionary(t => t, _ => new List<double>());
        for (int k = 0; k < 20_000; k++)
        {
            var (prompt, answer) = family.Example(percept, FamilyTokens.Of(family, percept), latents, rng);
            Assert.Equal(percept.AnswerToken, prompt[^1]);
            double value = answer[0] == percept.TokenA ? 1 : answer[0] == percept.TokenB ? 0 : answer[0] - (percept.Tokens.FirstByteId + '0');
            if (kind == "weighted_choice")
            {
                // A is chosen more when an attribute with a positive weight shows A the larger magnitude.
                for (int i = 0; i < 3; i++)
                    answers[prompt[1 + 3 * i]].Add((prompt[2 + 3 * i] - percept.MagnitudeToken('A', 0)) > (prompt[3 + 3 * i] - percept.MagnitudeToken('B', 0)) ? value : 1 - value);
            }
            else answers[prompt[1]].Add(value);
        }
        var means = tokens.Select(t => answers[t].Average()).ToArray();
        double r = Correlation(latents.Select(x => (double)x).ToArray(), means);
        // A rating and an estimate rise with the latent; a threshold accepts less; a lottery gambles (B, 0) more.
        double expectedSign = kind is "threshold" or "lottery" ? -gain : gain;
        Assert.True(r * expectedSign > 0.5, $"{kind} gain {gain}: r = {r:F2}");
    }

    /// <summary>One step from the same start: the entity rows, moved by behaviour alone, are the same whatever the reports
    /// say (true or permuted labels) but for the last bits (reports reach them only through the global-norm clipping's
    /// common scale, which Adam's first step all but cancels), while the body, which reports do train, differs. Without the
    /// detachment the rows differ in earnest.</summary>
    [Fact]
    public void Report_gradients_are_kept_out_of_the_entity_names()
    {
        BuiltInRecipes.TryGet("self-description-7", out var sd);
        var one = SelfDescriptionCorpusTests.Small(sd) with { Curriculum = SelfDescriptionCorpusTests.Small(sd).Curriculum with { Steps = 1 } };
        (float[] Rows, float[] Body) Train(OrganismRecipe r)
        {
            var organism = Pretraining.Run(r, Catalog, Directory.CreateTempSubdirectory("selfdescription").FullName, threads: 1, null, default);
            var entities = new FamilyCorpus(r, organism.Percept).Supervised.SelectMany(f => new FamilyCorpus(r, organism.Percept).Entities(f.Name).Tokens).ToArray();
            int d = organism.Model.Config.Dim, start = (int)organism.Model.Layout.Embedding;
            return (entities.SelectMany(t => organism.Model.Parameters.AsSpan(start + t * d, d).ToArray()).ToArray(), organism.Model.Tensor("layers.0.feed_forward.w2.weight").ToArray());
        }
        OrganismRecipe Permuted(OrganismRecipe r) => r with { Families = r.Families with { PermuteReportLabels = true } };
        var (rows, body) = Train(one);
        var (permutedRows, permutedBody) = Train(Permuted(one));
        static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
        Assert.InRange(MaxDifference(rows, permutedRows), 0, 1e-6);
        Assert.True(MaxDifference(body, permutedBody) > 1e-4);

        var attached = one with { Corpus = one.Corpus with { DetachReportNames = false } };
        Assert.True(MaxDifference(Train(attached).Rows, Train(Permuted(attached)).Rows) > 1e-4);
    }

    [Fact]
    public void Families_are_data_in_recipe_json_written_only_when_there_are_some()
    {
        BuiltInRecipes.TryGet("self-description-3", out var recipe);
        var dir = Directory.CreateTempSubdirectory("recipe").FullName;
        recipe.Save(dir);
        var text = File.ReadAllText(Path.Combine(dir, OrganismRecipe.FileName));
        Assert.Contains("\"families\"", text);
        Assert.Contains("\"supervised_families\": 3", text);
        Assert.Equal(JsonSerializer.Serialize(recipe), JsonSerializer.Serialize(OrganismRecipe.Load(dir)));
        Assert.DoesNotContain("families", JsonSerializer.Serialize(OrganismRecipe.Naive));
    }

    [Theory]
    [InlineData("{ \"families\": [ { \"name\": \"Rating\", \"kind\": \"rating\" } ], \"batch_behaviours\": 8 }", "families", "lower-case")]
    [InlineData("{ \"families\": [ { \"name\": \"r\", \"kind\": \"juggling\" } ], \"batch_behaviours\": 8 }", "families", "unknown kind")]
    [InlineData("{ \"families\": [ { \"name\": \"r\", \"kind\": \"lottery\" } ], \"batch_behaviours\": 8 }", "families", "probability")]
    [InlineData("{ \"families\": [ { \"name\": \"r\", \"kind\": \"rating\", \"entities\": 3 } ], \"batch_behaviours\": 8 }", "families", "3 entities")]
    [InlineData("{ \"families\": [ { \"name\": \"r\", \"kind\": \"rating\" } ], \"supervised_families\": 2, \"batch_behaviours\": 8 }", "supervised_families", "between 0")]
    [InlineData("{ \"families\": [ { \"name\": \"r\", \"kind\": \"rating\" } ] }", "batch_behaviours", "at least 1")]
    public void A_family_a_run_cannot_use_is_refused_naming_the_field(string json, string field, string problem) => AssertRefused(json, field, problem);

    /// <summary>Loading the recipe.json <paramref name="json"/> fails naming <paramref name="field"/> and the problem.</summary>
    internal static void AssertRefused(string json, string field, string problem)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("recipe").FullName, OrganismRecipe.FileName);
        File.WriteAllText(path, json);
        var e = Assert.Throws<DataFileException>(() => OrganismRecipe.Load(path));
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
