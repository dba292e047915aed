using System.Text.Json;
using SelfInterp.Organisms;

namespace SelfInterp.Cli.Tests;

/// <summary>The built-in `naive-1000` and its label control `naive-1000-unrelated` are the recipes issue 28's test
/// evaluated (their recipe.json in research/organism/evaluation/), and differ from the naive recipe only where the
/// docs say: the number of steps, and for the control the report values.</summary>
public class ShortNaiveRecipeTests
{
    private static string Json(OrganismRecipe r) => JsonSerializer.Serialize(r);

    [Theory]
    [InlineData("naive-1000", "fewer-steps/naive-1000")]
    [InlineData("naive-1000-unrelated", "emergent-self-report/naive-1000-unrelated")]
    public void The_built_in_recipe_is_the_one_the_evaluation_pretrained(string name, string evaluation)
    {
        Assert.Contains(name, BuiltInRecipes.Names);
        Assert.True(BuiltInRecipes.TryGet(name, out var builtIn));
        var evaluated = OrganismRecipe.Load(Path.Combine(EvaluateOrganismTabulateTests.Research(evaluation), OrganismRecipe.FileName));
        Assert.Equal(Json(evaluated), Json(builtIn));
    }

    [Fact]
    public void They_differ_from_the_naive_recipe_in_steps_and_the_control_in_its_report_values_only()
    {
        var naive = OrganismRecipe.Naive;
        var shortNaive = BuiltInRecipes.NaiveShort();
        var control = BuiltInRecipes.NaiveShort(unrelatedValues: true);
        Assert.Equal((3000, 1000, 1000), (naive.Curriculum.Steps, shortNaive.Curriculum.Steps, control.Curriculum.Steps));
        Assert.Equal(Json(naive), Json(shortNaive with { Curriculum = shortNaive.Curriculum with { Steps = 3000 } }));
        Assert.Equal("stated_unrelated", control.Corpus.ReportValues);
        Assert.Equal(Json(shortNaive), Json(control with { Corpus = control.Corpus with { ReportValues = "stated" } }));
    }
}
