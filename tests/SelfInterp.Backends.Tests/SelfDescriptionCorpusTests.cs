using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Random;

namespace SelfInterp.Backends.Tests;

/// <summary>
/// The self-description recipes never report the held-out families: in a whole (small) pretraining of each, and in its
/// introspection-training rehearsal, no report example shows or writes a name of the paper's weighted choice (any
/// catalog name) or of an unsupervised family, and every trained value is the label of its key's supervised entity.
/// Leaking corpora fail the same check.
/// </summary>
public class SelfDescriptionCorpusTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    /// <summary>The recipe at a test's size (shape, steps, batches); its corpus is the recipe's own.</summary>
    public static OrganismRecipe Small(OrganismRecipe recipe) => recipe.WithShape(32, 1, 2, 64) with
    {
        Curriculum = recipe.Curriculum with { Steps = 12, BatchDecisions = 8, BatchReports = 24, Warmup = 2, AccuracyGuard = [] },
        Families = recipe.Families with { BatchBehaviours = 16 },
    };

    public static TheoryData<string> Recipes => [.. BuiltInRecipes.Names.Where(n => n.StartsWith("self-description", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_whole_pretraining_and_its_rehearsal_never_report_a_held_out_family(string name)
    {
        Assert.True(BuiltInRecipes.TryGet(name, out var builtIn));
        var recipe = Small(builtIn);
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        var organism = Pretraining.Run(recipe, Catalog, Directory.CreateTempSubdirectory("selfdescription").FullName, threads: 1, null, default, reports.AddRange);
        Assert.Equal(recipe.Curriculum.Steps * recipe.Curriculum.BatchReports, reports.Count);

        var families = new FamilyCorpus(recipe, organism.Percept);
        var reportedFamilies = Check(organism.Percept, families, reports);
        Assert.Equal(families.Supervised.Select(f => f.Name).Order(), reportedFamilies.Order()); // every supervised family was reported
        Check(organism.Percept, families, new ReportReplay(organism, Catalog, new SeededStream("replay", 3)).Draw(300).ToList());
    }

    [Fact]
    public void A_corpus_that_reports_the_papers_family_fails_the_check()
    {
        // The same recipe with the reporter's report scenarios: values and keys of the paper's weighted choice trained.
        BuiltInRecipes.TryGet("self-description-3", out var builtIn);
        var leaking = Small(builtIn with { Corpus = builtIn.Corpus with { ReportScenarios = [200, 320] } });
        var (percept, families, reports) = Corpus(leaking);
        Assert.Contains("held-out", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check(percept, families, reports)).Message);

        // Keys only: names-only slots put the native scenarios' names in reports with filler values.
        var keysOnly = Small(builtIn with { Corpus = builtIn.Corpus with { ReportScenarios = [200, 320], NativeNameShare = 1 } });
        (percept, families, reports) = Corpus(keysOnly);
        Assert.Contains("held-out", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check(percept, families, reports)).Message);
    }

    [Fact]
    public void A_corpus_that_reports_an_unsupervised_family_or_mislabels_one_fails_the_check()
    {
        BuiltInRecipes.TryGet("self-description-7", out var seven);
        BuiltInRecipes.TryGet("self-description-3", out var three);
        var (percept, _, reports) = Corpus(Small(seven));
        var threeFamilies = new FamilyCorpus(Small(three), percept);
        Assert.Contains("unsupervised", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check(percept, threeFamilies, reports)).Message);

        // Values: the permuted control's reports checked against the true latents.
        var (p, trueLabels, _) = Corpus(Small(seven));
        var (_, _, permutedReports) = Corpus(Small(seven with { Families = seven.Families with { PermuteReportLabels = true } }));
        Assert.Contains("label", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check(p, trueLabels, permutedReports)).Message);
    }

    [Fact]
    public void The_permuted_control_labels_entities_with_other_entities_latents()
    {
        BuiltInRecipes.TryGet(BuiltInRecipes.PermutedControl, out var control);
        var (percept, families, _) = Corpus(Small(control));
        var labels = families.ReportLabels;
        foreach (var family in families.Supervised)
        {
            var (tokens, latents) = families.Entities(family.Name);
            Assert.Equal(latents.Order(), tokens.Select(t => labels[t]).Order()); // the same values, moved
            Assert.True(tokens.Where((t, e) => labels[t] != latents[e]).Count() > tokens.Length / 2, family.Name);
        }
    }

    /// <summary>Checks every report; returns the families it saw reported.</summary>
    public static HashSet<string> Check(OrganismPercept percept, FamilyCorpus families, IReadOnlyList<(int[] Prompt, int[] Answer, int[] Targets)> reports)
    {
        var catalogNames = Enumerable.Range(0, Catalog.Scenarios.Count).SelectMany(s => Enumerable.Range(0, 5).Select(i => percept.NameToken(s, i))).ToHashSet();
        var unsupervised = families.Unsupervised.SelectMany(f => families.Entities(f.Name).Tokens).ToHashSet();
        var familyOf = families.Supervised.SelectMany(f => families.Entities(f.Name).Tokens.Select(t => (t, f.Name))).ToDictionary(x => x.t, x => x.Name);
        var labels = families.ReportLabels;
        int colon = percept.Tokens.FirstByteId + ':', comma = percept.Tokens.FirstByteId + ',', close = percept.Tokens.FirstByteId + '}';
        var seen = new HashSet<string>();
        foreach (var (prompt, answer, targets) in reports)
        {
            foreach (int token in prompt.Concat(answer))
            {
                Assert.False(catalogNames.Contains(token), $"a report shows or writes {percept.Tokens.TokenText(token)}, a name of the held-out weighted choice");
                Assert.False(unsupervised.Contains(token), $"a report shows or writes {percept.Tokens.TokenText(token)}, an entity of an unsupervised family");
            }
            int k = -1;
            for (int t = 0; t < answer.Length; t++)
            {
                if (answer[t] != colon) continue;
                k++;
                int key = answer[t - 1];
                Assert.True(familyOf.TryGetValue(key, out var family), $"key {percept.Tokens.TokenText(key)} is no supervised family's entity");
                Assert.Equal(prompt[1 + k], key);
                seen.Add(family!);
                int end = t + 1;
                while (answer[end] != comma && answer[end] != close) end++;
                Assert.All(Enumerable.Range(t + 1, end - t - 1), j => Assert.Equal(answer[j], targets[j])); // every value token trained
                int written = int.Parse(string.Concat(answer[(t + 1)..end].Select(id => percept.Tokens.TokenText(id))), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(labels[key] == written, $"{percept.Tokens.TokenText(key)} reported as {written}, its label is {labels[key]}");
            }
            Assert.Equal(4, k);
        }
        return seen;
    }

    private static (OrganismPercept, FamilyCorpus, List<(int[] Prompt, int[] Answer, int[] Targets)>) Corpus(OrganismRecipe recipe)
    {
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        var organism = Pretraining.Run(recipe, Catalog, Directory.CreateTempSubdirectory("selfdescription").FullName, threads: 1, null, default, reports.AddRange);
        return (organism.Percept, new FamilyCorpus(recipe, organism.Percept), reports);
    }
}

/// <summary>A self-description organism runs the whole protocol on the local backend like any organism (its rehearsal
/// during introspection training draws its supervised families' reports).</summary>
public class SelfDescriptionPipelineTests
{
    [Fact]
    public async Task A_self_description_organism_runs_the_paper_pipeline()
    {
        BuiltInRecipes.TryGet("self-description-3", out var recipe);
        var dir = Directory.CreateTempSubdirectory("selfdescription").FullName;
        Pretraining.Run(SelfDescriptionCorpusTests.Small(recipe), ScenarioCatalog.Embedded(), dir, threads: 1, null, default);
        await RunsThePaperPipeline(dir);
    }

    /// <summary>Runs the paper's protocol, small, on the organism in <paramref name="dir"/> and checks every report condition was written.</summary>
    internal static async Task RunsThePaperPipeline(string dir)
    {
        var run = SelfInterp.Core.Runs.RunDirectory.OpenOrCreate(Path.Combine(Directory.CreateTempSubdirectory().FullName, "run"), TinyOrganism.RunConfig(dir));
        await SelfInterp.Experiments.ExperimentCatalog.RunAsync(run, SelfInterp.Core.Pipeline.SilentProgress.Instance, default, checks: SelfInterp.Core.Pipeline.ReplyChecks.Off);
        var counts = SelfInterp.Experiments.Preferences.PreferencesStages.ReportCounts(SelfInterp.Experiments.Preferences.PreferencesConfig.From(run.Manifest.Config));
        foreach (var c in Enum.GetValues<SelfInterp.Analysis.Layout.ReportCondition>())
            Assert.True(File.Exists(Path.Combine(run.Path, SelfInterp.Analysis.Layout.PaperLayout.Reports(TinyOrganism.Id, c, counts))), c.ToString());
        Assert.NotNull(run.Model(SelfInterp.Experiments.Preferences.PreferencesStages.ItrainedAllKey).Id);
    }
}
