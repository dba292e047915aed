using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Backends.Tests;

/// <summary>A pretraining stopped after a partial checkpoint goes on from it and ends with the same bytes as one never
/// stopped: the reporter's corpus, a self-description corpus (behaviour families, family reports, name noise) and a
/// self-prediction corpus (questions labelled by the weights of the moment).</summary>
public class PretrainingResumeTests
{
    static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    public static TheoryData<string> Recipes => ["reporter", "self-description-15", BuiltInRecipes.SelfPredictionName];

    static OrganismRecipe Small(string name)
    {
        Assert.True(BuiltInRecipes.TryGet(name, out var recipe));
        var small = name == BuiltInRecipes.SelfPredictionName ? SelfPredictionCorpusTests.Small(recipe) : SelfDescriptionCorpusTests.Small(recipe);
        // Reports from the first step, so the stop below comes at a known step whatever the recipe.
        return small with { Curriculum = small.Curriculum with { ReportsFrom = 0 } };
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_pretraining_stopped_after_a_checkpoint_resumes_to_the_same_bytes(string name)
    {
        var recipe = Small(name);
        string whole = Directory.CreateTempSubdirectory("resume-whole").FullName, stopped = Directory.CreateTempSubdirectory("resume-stopped").FullName;
        Pretraining.Run(recipe, Catalog, whole, 1, null, default, checkpointEvery: 3);
        Assert.False(File.Exists(Path.Combine(whole, PretrainingResume.FileName)), "a finished pretraining keeps no resume file");

        // Told to stop while step 7 draws its reports, it stops before step 8: the last checkpoint is after step 5.
        using var cts = new CancellationTokenSource();
        int batches = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Pretraining.Run(recipe, Catalog, stopped, 1, null, cts.Token,
            reportsSeen: _ => { if (++batches == 8) cts.Cancel(); }, checkpointEvery: 3));
        Assert.Equal(5, PretrainingResume.ResumableStep(stopped, recipe));
        // Another seed's pretraining would not take it.
        Assert.Null(PretrainingResume.ResumableStep(stopped, recipe with { Seed = recipe.Seed + 1 }));

        // Resumed (at two threads: the bytes do not depend on it), it trains steps 6–11 only.
        int resumedBatches = 0;
        Pretraining.Run(recipe, Catalog, stopped, 2, null, default, reportsSeen: _ => resumedBatches++, checkpointEvery: 3);
        Assert.Equal(recipe.Curriculum.Steps - 6, resumedBatches);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(stopped, "model.safetensors")));
        Assert.False(File.Exists(Path.Combine(stopped, PretrainingResume.FileName)));
        // The log is the whole one, its seconds aside.
        static IEnumerable<string> NoSeconds(string dir) => File.ReadLines(Path.Combine(dir, Pretraining.LogFile)).Select(l => l[..l.LastIndexOf(',')]);
        Assert.Equal(NoSeconds(whole), NoSeconds(stopped));
    }

    [Fact]
    public void A_resume_file_is_not_used_with_weights_it_was_not_written_with()
    {
        var recipe = Small("reporter");
        string dir = Directory.CreateTempSubdirectory("resume-weights").FullName;
        using var cts = new CancellationTokenSource();
        int batches = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Pretraining.Run(recipe, Catalog, dir, 1, null, cts.Token,
            reportsSeen: _ => { if (++batches == 5) cts.Cancel(); }, checkpointEvery: 3));
        Assert.Equal(2, PretrainingResume.ResumableStep(dir, recipe));
        var weights = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 1;
        File.WriteAllBytes(weights, bytes);
        Assert.Null(PretrainingResume.ResumableStep(dir, recipe));
    }
}
