using SelfInterp.Core.Runs;
using SelfInterp.Experiments.OrganismEvaluation;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Backends.Tests;

/// <summary>
/// The held-out family measure (<see cref="HeldOutFamily"/>): its reading of a report follows the protocol's rule, its
/// instillation moves only the held-out family's entity embeddings and moves its behaviour towards the targets, the same
/// seed gives the same figures, and a family the recipe reports is refused. The second held-out-family recipe's corpus
/// test is <see cref="SelfDescriptionCorpusTests"/> (its theory takes every self-description recipe) and the leak below.
/// </summary>
public class HeldOutFamilyTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();
    private static readonly string[] Names = ["lottery_a_b", "lottery_a_c", "lottery_a_d", "lottery_a_e", "lottery_a_f"];

    [Theory]
    [InlineData("""{"lottery_a_b": 10, "lottery_a_c": -100, "lottery_a_d": 0, "lottery_a_e": 100, "lottery_a_f": 5}""", true)]
    [InlineData("""{"lottery_a_f": 5, "lottery_a_e": 100, "lottery_a_d": 0, "lottery_a_c": -100, "lottery_a_b": 10}""", true)] // any key order
    [InlineData("""{"lottery_a_b": 10, "lottery_a_c": -100, "lottery_a_d": 0, "lottery_a_e": 100}""", false)] // a key missing
    [InlineData("""{"lottery_a_b": 10, "lottery_a_c": -100, "lottery_a_d": 0, "lottery_a_e": 100, "lottery_a_g": 5}""", false)] // another key
    [InlineData("""{"lottery_a_b": 10, "lottery_a_b": 11, "lottery_a_d": 0, "lottery_a_e": 100, "lottery_a_f": 5}""", false)] // a key twice
    [InlineData("""{"lottery_a_b": 101, "lottery_a_c": -100, "lottery_a_d": 0, "lottery_a_e": 100, "lottery_a_f": 5}""", false)] // off the scale
    [InlineData("""{"lottery_a_b": 10.0, "lottery_a_c": -100, "lottery_a_d": 0, "lottery_a_e": 100, "lottery_a_f": 5}""", true)] // any number, as the protocol reads
    [InlineData("```json\n{\"lottery_a_b\": 10, \"lottery_a_c\": -100, \"lottery_a_d\": 0, \"lottery_a_e\": 100, \"lottery_a_f\": 5}\n```", true)] // a code fence
    [InlineData("""{"lottery_a_b": "10", "lottery_a_c": -100, "lottery_a_d": 0, "lottery_a_e": 100, "lottery_a_f": 5}""", false)]
    [InlineData("""{"lottery_a_b": 10, "lottery_a_c" -100""", false)]
    [InlineData("""[10, -100, 0, 100, 5]""", false)]
    public void A_report_is_read_by_the_protocols_rule(string text, bool readable)
    {
        // The measure reads a family's reports with the analysis's own parser, keyed by the entities asked.
        Assert.Equal(readable, SelfInterp.Analysis.Layout.ReportParser.TryParseOnScale(text, Names, out var values, out _));
        if (readable) Assert.Equal([10.0, -100, 0, 100, 5], values);
    }

    [Fact]
    public void Accuracy_is_the_correlation_of_the_entities_mean_reports_with_the_latents()
    {
        Assert.Equal(1, HeldOutFamily.Accuracy([-20, double.NaN, 0, 40], [-10, 99, 0, 20]), 12); // the entity without a report is left out
        Assert.Equal(-1, HeldOutFamily.Accuracy([3, 2, 1], [1, 2, 3]), 12);
        Assert.True(double.IsNaN(HeldOutFamily.Accuracy([1, double.NaN, 2], [1, 2, 3]))); // two entities say nothing
        Assert.True(double.IsNaN(HeldOutFamily.Accuracy([5, 5, 5], [1, 2, 3]))); // no spread
    }

    /// <summary>On a rating family, whose digit reads the latent most directly, so that a small organism shows the
    /// instillation's pull (the measure refuses no family; the evaluation refuses reported ones).</summary>
    [Fact]
    public void The_instillation_moves_only_the_family_and_moves_it_towards_the_targets()
    {
        var (organism, dir) = Pretrained();
        var corpus = new FamilyCorpus(organism.Recipe, organism.Percept);
        var before = (float[])organism.Model.Parameters.Clone();
        var result = HeldOutFamily.Measure(organism, "rating_a", 11, Settings);
        var after = organism.Model.Parameters;

        // Only the embedding rows of rating_a's entities changed (the tied head is the same rows).
        int d = organism.Model.Config.Dim, start = (int)organism.Model.Layout.Embedding;
        var rows = corpus.Entities("rating_a").Tokens.ToHashSet();
        var changed = Enumerable.Range(0, after.Length).Where(i => after[i] != before[i]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.True(i >= start && rows.Contains((i - start) / d), $"parameter {i} changed, not an embedding of rating_a"));
        Assert.Equal(rows.Count, changed.Select(i => (i - start) / d).Distinct().Count());

        // Its behaviour follows the new targets more than before.
        Assert.True(result.InstillationR > result.BaseBehaviourR + 0.3, $"behaviour r against the targets {result.BaseBehaviourR:F2} → {result.InstillationR:F2}");
        Assert.True(result.Supervised);
        Assert.Equal(40, result.Entities);
        Assert.InRange(result.BaseBadShare, 0, 1);

        // Steering along the code the instillation wrote moves the behaviour with the strength's sign at ±40 points.
        Assert.True(result.SteerBehaviour[0] < 0 && result.SteerBehaviour[^1] > 0, $"behaviour change at −40 {result.SteerBehaviour[0]:F3}, at +40 {result.SteerBehaviour[^1]:F3}");
        Assert.True(FamilySteering.Slope(result.SteerPoints, result.SteerBehaviour) > 0);

        // The same seed on a fresh load: the same figures (the time aside); another run seed draws other targets.
        var again = HeldOutFamily.Measure(Organism.Load(dir, Catalog), "rating_a", 11, Settings);
        Assert.Equal(result.Measures().Where(m => m.Column != "seconds"), again.Measures().Where(m => m.Column != "seconds"));
        var lottery = HeldOutFamily.Measure(Organism.Load(dir, Catalog), "lottery_a", 12, Settings);
        Assert.False(lottery.Supervised);
        Assert.NotEqual(result.BaseBehaviourR, lottery.BaseBehaviourR);
    }

    /// <summary>The steering direction is the slope of the rows on the targets: rows built as a + t·w give back w.</summary>
    [Fact]
    public void The_steering_direction_is_the_rows_slope_on_the_targets()
    {
        var (organism, _) = Pretrained();
        var tokens = new FamilyCorpus(organism.Recipe, organism.Percept).TokensOf(0);
        int d = organism.Model.Config.Dim;
        long start = organism.Model.Layout.Embedding;
        var w = Enumerable.Range(0, d).Select(j => (j % 7 - 3) / 100f).ToArray();
        var a = Enumerable.Range(0, d).Select(j => (j % 5) / 10f).ToArray();
        var targets = Enumerable.Range(0, tokens.Entities.Length).Select(e => e * 37 % 201 - 100).ToArray();
        for (int e = 0; e < tokens.Entities.Length; e++)
            for (int j = 0; j < d; j++) organism.Model.Parameters[start + (long)tokens.Entities[e] * d + j] = a[j] + targets[e] * w[j];
        var found = FamilySteering.Direction(organism, tokens, targets);
        for (int j = 0; j < d; j++) Assert.Equal(w[j], found[j], 4);

        Assert.Equal(1.0, FamilySteering.Slope([-10, 10], [-10, 10]), 12);
        Assert.Equal(1, FamilySteering.Consistent([-10, 10], [-0.5, 3]));
        Assert.Equal(0, FamilySteering.Consistent([-10, 10], [0.5, 3]));
        Assert.True(double.IsNaN(FamilySteering.Consistent([-10, 10], [double.NaN, 3])));
    }

    [Fact]
    public void A_record_that_is_not_one_or_lacks_a_field_is_refused_naming_the_file_and_field()
    {
        var record = new HeldOutFamilyResult("lottery_a", "x", false, 40, 520, 0.1, 0.2, 0.7, 0.0, double.NaN, double.NaN, 0.1, 0.1, 0, 0.05,
            FamilySteering.Points, [.. FamilySteering.Points.Select(p => p / 100)], [.. FamilySteering.Points.Select(p => p / 10)], 0.3, -0.3, 0.1, 12);
        var back = HeldOutFamilyResult.FromJson(record.ToJson(), "rec.json");
        Assert.Equal(record.Measures(), back.Measures()); // NaN included

        Assert.Contains("rec.json", Assert.Throws<UsageException>(() => HeldOutFamilyResult.FromJson("{ not json", "rec.json")).Message);
        var old = System.Text.Json.Nodes.JsonNode.Parse(record.ToJson())!.AsObject();
        old.Remove("CrossR"); // a record from before the cross model
        var e = Assert.Throws<UsageException>(() => HeldOutFamilyResult.FromJson(old.ToJsonString(), "rec.json"));
        Assert.Contains("rec.json", e.Message);
        Assert.Contains("CrossR", e.Message);
    }

    [Fact]
    public void A_family_the_recipe_reports_or_lacks_is_refused_naming_it()
    {
        Assert.True(BuiltInRecipes.TryGet(BuiltInRecipes.HoldLotteryName, out var recipe));
        HeldOutFamilyEvaluation.CheckHeldOut(recipe, "lottery_a", "the recipe"); // held out: no throw
        var reported = Assert.Throws<UsageException>(() => HeldOutFamilyEvaluation.CheckHeldOut(recipe, "rating_a", "the recipe"));
        Assert.Contains("rating_a", reported.Message);
        Assert.Contains("not held out", reported.Message);
        var unknown = Assert.Throws<UsageException>(() => HeldOutFamilyEvaluation.CheckHeldOut(recipe, "lottery_z", "the recipe"));
        Assert.Contains("lottery_d", unknown.Message); // lists the families it has
        var (organism, _) = Pretrained();
        Assert.Contains("no such family", Assert.Throws<UsageException>(() => HeldOutFamily.Measure(organism, "lottery_z", 11, Settings)).Message);
    }

    [Fact]
    public void The_hold_lottery_recipes_report_every_family_but_the_lotteries()
    {
        foreach (var name in new[] { BuiltInRecipes.HoldLotteryName, BuiltInRecipes.HoldLotteryPermuted })
        {
            Assert.True(BuiltInRecipes.TryGet(name, out var recipe));
            var families = recipe.Families.Families!;
            Assert.Equal(15, families.Length);
            Assert.All(families.Take(recipe.Families.Supervised), f => Assert.NotEqual("lottery", f.Kind));
            Assert.All(families.Skip(recipe.Families.Supervised), f => Assert.Equal("lottery", f.Kind));
            Assert.Equal(name == BuiltInRecipes.HoldLotteryPermuted, recipe.Families.PermuteReportLabels);
            Assert.Empty(Enumerable.Range(recipe.Corpus.ReportScenarios[0], recipe.Corpus.ReportScenarios[1] - recipe.Corpus.ReportScenarios[0])); // the paper's choice never reported
        }
    }

    [Fact]
    public void A_corpus_that_reports_a_lottery_family_fails_the_hold_lottery_check()
    {
        // self-description-15 reports every family, lotteries among them: checked as the hold-lottery recipe, it leaks.
        BuiltInRecipes.TryGet("self-description-15", out var all);
        BuiltInRecipes.TryGet(BuiltInRecipes.HoldLotteryName, out var hold);
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        var organism = Pretraining.Run(SelfDescriptionCorpusTests.Small(all), Catalog, Directory.CreateTempSubdirectory("holdleak").FullName, threads: 1, null, default, reports.AddRange);
        var holdFamilies = new FamilyCorpus(SelfDescriptionCorpusTests.Small(hold), organism.Percept);
        Assert.Contains("unsupervised", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SelfDescriptionCorpusTests.Check(organism.Percept, holdFamilies, reports)).Message);
    }

    static readonly HeldOutFamilySettings Settings = new(ReportsPerEntity: 5, ExamplesPerEntity: 32, ChecksPerEntity: 10);

    static (Organism Organism, string Directory) Pretrained()
    {
        BuiltInRecipes.TryGet(BuiltInRecipes.HoldLotteryName, out var recipe);
        var dir = Directory.CreateTempSubdirectory("heldout").FullName;
        // Long enough for its behaviour to read the entities (at the corpus tests' 12 steps it answers the same whatever they are).
        var small = SelfDescriptionCorpusTests.Small(recipe);
        var organism = Pretraining.Run(small with { Curriculum = small.Curriculum with { Steps = 150 } }, Catalog, dir, threads: 1, null, default);
        return (organism, dir);
    }
}
