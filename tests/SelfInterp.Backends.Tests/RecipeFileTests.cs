using System.Text.Json;
using SelfInterp.Organisms;
using SelfInterp.Core.IO;

namespace SelfInterp.Backends.Tests;

/// <summary>recipe.json: the flat form every recipe already written has loads into the sections and is written back
/// to the same bytes; a key it does not know, or gives twice, is refused by name.</summary>
public class RecipeFileTests
{
    [Theory]
    [InlineData("naive")]
    [InlineData("naive-1000")]
    [InlineData("reporter")]
    public void A_shipped_recipe_loads_into_its_sections_and_is_written_back_to_the_same_bytes(string name)
    {
        string shipped = Path.Combine(ShippedOrganisms.DirectoryOf(name), OrganismRecipe.FileName);
        var recipe = OrganismRecipe.Load(shipped);
        Assert.Equal(name == "reporter" ? "native" : "stated", recipe.Corpus.ReportValues);
        Assert.Equal(128, recipe.Shape.Dim);
        Assert.Equal(name == "naive-1000" ? 1000 : 3000, recipe.Curriculum.Steps);
        Assert.Equal("body", recipe.Introspection.Method);
        var dir = Directory.CreateTempSubdirectory("recipe").FullName;
        recipe.Save(dir);
        Assert.Equal(File.ReadAllBytes(shipped), File.ReadAllBytes(Path.Combine(dir, OrganismRecipe.FileName)));
    }

    [Fact]
    public void A_partial_recipe_takes_the_defaults_for_the_keys_it_leaves_out()
    {
        var path = Write("{ \"seed\": 9, \"dim\": 64, \"itrain_replay\": 0 }");
        var recipe = OrganismRecipe.Load(path);
        Assert.Equal(9UL, recipe.Seed);
        Assert.Equal(64, recipe.Shape.Dim);
        Assert.Equal(new RecipeShape().Layers, recipe.Shape.Layers);
        Assert.Equal(0, recipe.Introspection.Replay);
        Assert.Equal(new RecipeIntrospection().Epochs, recipe.Introspection.Epochs);
        Assert.Equal(JsonSerializer.Serialize(new OrganismRecipe()), JsonSerializer.Serialize(OrganismRecipe.Load(Write("{}"))));
    }

    [Theory]
    [InlineData("{ \"seed\": 1, \"dimension\": 64 }", "dimension", "unknown field")]
    [InlineData("{ \"dim\": 64, \"dim\": 32 }", "dim", "twice")]
    [InlineData("{ \"dim\": \"wide\" }", "dim", "")]
    [InlineData("{ \"seed\": -1 }", "seed", "")]
    public void A_key_it_does_not_know_or_cannot_read_is_refused_by_name(string json, string field, string problem)
    {
        var path = Write(json);
        var e = Assert.Throws<DataFileException>(() => OrganismRecipe.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
    }

    private static string Write(string json)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("recipe").FullName, OrganismRecipe.FileName);
        File.WriteAllText(path, json);
        return path;
    }
}
