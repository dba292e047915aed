using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Random;

namespace SelfInterp.Backends.Tests;

/// <summary>
/// The different-task-structure recipes report only their own structure: in a whole (small) pretraining of each, and in
/// its introspection-training rehearsal, no report shows or writes a name of the paper's 5-attribute weighted choice, every
/// value is its key's label (the self-description check), and every report is of a family of the recipe's structure — a
/// 3-attribute weighted choice or a lottery. Leaking corpora fail the same check.
/// </summary>
public class DifferentStructureCorpusTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    public static TheoryData<string, string, int> Recipes => new()
    {
        { BuiltInRecipes.ThreeAttributeName, "weighted_choice", 3 },
        { BuiltInRecipes.LotteryName, "lottery", 0 },
        { BuiltInRecipes.ThreeAttributePermuted, "weighted_choice", 3 },
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_whole_pretraining_and_its_rehearsal_report_only_the_recipes_structure(string name, string kind, int attributes)
    {
        Assert.True(BuiltInRecipes.TryGet(name, out var builtIn));
        var recipe = SelfDescriptionCorpusTests.Small(builtIn);
        var (organism, families, reports) = Corpus(recipe);
        Assert.Equal(recipe.Curriculum.Steps * recipe.Curriculum.BatchReports, reports.Count);

        var reported = CheckStructure(organism.Percept, families, reports, kind, attributes);
        Assert.Equal(families.Supervised.Select(f => f.Name).Order(), reported.Order()); // every family was reported
        Assert.Empty(families.Unsupervised);
        CheckStructure(organism.Percept, families, new ReportReplay(organism, Catalog, new SeededStream("replay", 3)).Draw(300).ToList(), kind, attributes);
    }

    [Fact]
    public void A_corpus_that_reports_the_papers_five_attribute_choice_fails_the_check()
    {
        // The recipe with the reporter's report scenarios: keys and values of the paper's 5-attribute choice trained.
        BuiltInRecipes.TryGet(BuiltInRecipes.ThreeAttributeName, out var builtIn);
        var leaking = SelfDescriptionCorpusTests.Small(builtIn with { Corpus = builtIn.Corpus with { ReportScenarios = [200, 320] } });
        var (organism, families, reports) = Corpus(leaking);
        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => CheckStructure(organism.Percept, families, reports, "weighted_choice", 3));
        Assert.Contains("held-out", error.Message);
    }

    [Fact]
    public void A_corpus_that_reports_a_five_attribute_family_fails_the_check()
    {
        // A 5-attribute weighted choice on names of its own, reported beside the 3-attribute ones: no catalog name, but
        // the held-out structure supervised.
        BuiltInRecipes.TryGet(BuiltInRecipes.ThreeAttributeName, out var builtIn);
        BehaviourFamily[] withFive = [new() { Name = "choice_five", Kind = "weighted_choice", Attributes = 5, Entities = 60 }, .. BuiltInRecipes.ThreeAttributeFamilies];
        var leaking = SelfDescriptionCorpusTests.Small(builtIn with { Families = builtIn.Families with { Families = withFive, Supervised = withFive.Length } });
        var (organism, families, reports) = Corpus(leaking);
        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => CheckStructure(organism.Percept, families, reports, "weighted_choice", 3));
        Assert.Contains("choice_five", error.Message);
        Assert.Contains("structure", error.Message);
    }

    [Fact]
    public void The_control_labels_attributes_with_other_attributes_weights()
    {
        BuiltInRecipes.TryGet(BuiltInRecipes.ThreeAttributePermuted, out var control);
        var (_, families, _) = Corpus(SelfDescriptionCorpusTests.Small(control));
        var labels = families.ReportLabels;
        foreach (var family in families.Supervised)
        {
            var (tokens, latents) = families.Entities(family.Name);
            Assert.Equal(latents.Order(), tokens.Select(t => labels[t]).Order()); // the same weights, moved
            Assert.True(tokens.Where((t, e) => labels[t] != latents[e]).Count() > tokens.Length / 2, family.Name);
        }
    }

    /// <summary>The self-description check, then every reported family of the given structure; returns the families reported.</summary>
    private static HashSet<string> CheckStructure(OrganismPercept percept, FamilyCorpus families,
        IReadOnlyList<(int[] Prompt, int[] Answer, int[] Targets)> reports, string kind, int attributes)
    {
        var reported = SelfDescriptionCorpusTests.Check(percept, families, reports);
        foreach (var family in families.Supervised.Where(f => reported.Contains(f.Name)))
            Assert.True(family.Kind == kind && family.Attributes == attributes,
                $"{family.Name} ({family.Kind}, {family.Attributes} attributes) is reported, and is not of the recipe's structure ({kind}, {attributes} attributes)");
        return reported;
    }

    private static (Organism, FamilyCorpus, List<(int[] Prompt, int[] Answer, int[] Targets)>) Corpus(OrganismRecipe recipe)
    {
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        var organism = Pretraining.Run(recipe, Catalog, Directory.CreateTempSubdirectory("structure").FullName, threads: 1, null, default, reports.AddRange);
        return (organism, new FamilyCorpus(recipe, organism.Percept), reports);
    }
}

/// <summary>A different-task-structure organism, pretrained small, runs the whole protocol on the local backend like any organism.</summary>
public class DifferentStructurePipelineTests
{
    [Theory]
    [InlineData(BuiltInRecipes.ThreeAttributeName)]
    [InlineData(BuiltInRecipes.LotteryName)]
    public async Task A_structure_organism_runs_the_paper_pipeline(string name)
    {
        Assert.True(BuiltInRecipes.TryGet(name, out var recipe));
        var dir = Directory.CreateTempSubdirectory("structure").FullName;
        Pretraining.Run(SelfDescriptionCorpusTests.Small(recipe), ScenarioCatalog.Embedded(), dir, threads: 1, null, default);
        await SelfDescriptionPipelineTests.RunsThePaperPipeline(dir);
    }
}
