using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Core.Tests;

public class CatalogTests
{
    [Fact]
    public void Shipped_catalog_has_at_least_300_valid_scenarios_and_roles()
    {
        var c = ScenarioCatalog.Embedded();
        Assert.True(c.Scenarios.Count >= 300, $"{c.Scenarios.Count} scenarios");
        Assert.True(c.Roles.Count >= 300, $"{c.Roles.Count} roles");
        Assert.All(c.Scenarios, s => Assert.Equal(5, s.Attributes.Count));
        Assert.Equal(c.Scenarios.Count, c.Scenarios.Select(s => s.ShortName).Distinct().Count());
        Assert.Equal(c.Scenarios.Count, c.Scenarios.Select(s => s.Question).Distinct().Count());
        // Attribute names are unique across the whole catalog: a local model can then hold a scenario's
        // weights in its attribute-name tokens.
        var names = c.Scenarios.SelectMany(s => s.Attributes.Select(a => a.Name)).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(c.Scenarios.SelectMany(s => s.Attributes), a => Assert.True(a.Min < a.Max && double.IsFinite(a.Min) && double.IsFinite(a.Max)));
    }

    private static string Scenario(string attributes, string name = "test_scenario") =>
        $$"""[{"short_name": "{{name}}", "question": "Which would you pick?", "attributes": [{{attributes}}]}]""";

    private static string Attr(string name, string range = "[0, 10]") => $$"""{"name": "{{name}}", "units": "u", "range": {{range}}}""";

    private static string Five(params string[] replace)
    {
        var a = new[] { Attr("a_one"), Attr("a_two"), Attr("a_three"), Attr("a_four"), Attr("a_five") };
        for (int i = 0; i < replace.Length; i++) if (replace[i] is not null) a[i] = replace[i];
        return string.Join(", ", a);
    }

    [Theory]
    [InlineData(4, "expected exactly 5 attributes, found 4")]
    [InlineData(6, "expected exactly 5 attributes, found 6")]
    public void Wrong_attribute_count_names_the_file_scenario_and_field(int count, string message)
    {
        var attrs = string.Join(", ", Enumerable.Range(0, count).Select(i => Attr($"attr_{i}")));
        var parsed = CatalogReader.ParseScenariosJson("cat.json", Scenario(attrs));
        var error = Assert.Single(parsed.Errors);
        Assert.Contains("cat.json", error);
        Assert.Contains("scenario 0 (test_scenario)", error);
        Assert.Contains("'attributes'", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Min_not_below_max_is_an_error()
    {
        var parsed = CatalogReader.ParseScenariosJson("cat.json", Scenario(Five(null!, Attr("a_two", "[5, 5]"))));
        var error = Assert.Single(parsed.Errors);
        Assert.Contains("attributes[1].range", error);
        Assert.Contains("less than", error);
    }

    [Fact]
    public void NaN_range_is_an_error()
    {
        var parsed = CatalogReader.ParseScenariosJson("cat.json", Scenario(Five(null!, null!, Attr("a_three", "[\"NaN\", \"10\"]"))));
        var error = Assert.Single(parsed.Errors);
        Assert.Contains("attributes[2].range", error);
        Assert.Contains("finite", error);
    }

    [Fact]
    public void Missing_range_is_an_error()
    {
        var parsed = CatalogReader.ParseScenariosJson("cat.json", Scenario(Five(null!, null!, null!, """{"name": "a_four", "units": "u"}""")));
        var error = Assert.Single(parsed.Errors);
        Assert.Contains("attributes[3].range", error);
    }

    [Fact]
    public void Duplicate_attribute_names_are_an_error()
    {
        var parsed = CatalogReader.ParseScenariosJson("cat.json", Scenario(Five(null!, Attr("a_one"))));
        var error = Assert.Single(parsed.Errors);
        Assert.Contains("attributes[1].name", error);
        Assert.Contains("duplicate", error);
    }

    [Fact]
    public void Missing_attribute_name_and_non_snake_case_are_errors()
    {
        var parsed = CatalogReader.ParseScenariosJson("cat.json", Scenario(Five("""{"units": "u", "range": [0, 1]}""", Attr("Bad Name"))));
        Assert.Equal(2, parsed.Errors.Count);
        Assert.Contains(parsed.Errors, e => e.Contains("attributes[0].name") && e.Contains("missing"));
        Assert.Contains(parsed.Errors, e => e.Contains("attributes[1].name") && e.Contains("snake_case"));
    }

    [Fact]
    public void Invalid_json_names_the_line()
    {
        var parsed = CatalogReader.ParseScenariosJson("cat.json", "[\n{\"short_name\": \"x\",\n  oops\n}]");
        var error = Assert.Single(parsed.Errors);
        Assert.StartsWith("cat.json:3:", error);
    }

    [Fact]
    public void Role_file_with_blank_line_names_the_line()
    {
        var parsed = CatalogReader.ParseRoles("roles.txt", "Gilgamesh\n\nMarie Curie\n");
        var error = Assert.Single(parsed.Errors);
        Assert.Equal("roles.txt:2: field 'role': blank line", error);
        Assert.Equal(["Gilgamesh", "Marie Curie"], parsed.Value);
    }

    [Fact]
    public void Paper_scenarios_csv_imports()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(dir, "scenarios.csv");
        File.WriteAllText(path,
            "scenario,question,attr1,attr2,attr3,attr4,attr5,attr1_min,attr2_min,attr3_min,attr4_min,attr5_min,attr1_max,attr2_max,attr3_max,attr4_max,attr5_max\n" +
            "0,\"Which condo, if any?\",light,rent,floor,view,noise,0,500,1,0,20,12,3000,40,1,90\n");
        var parsed = CatalogReader.ReadScenarios(path);
        Assert.Empty(parsed.Errors);
        var s = Assert.Single(parsed.Value);
        Assert.Equal("Which condo, if any?", s.Question);
        Assert.Equal(["light", "rent", "floor", "view", "noise"], s.Attributes.Select(a => a.Name));
        Assert.Equal(500, s.Attributes[1].Min);
        Assert.Equal(3000, s.Attributes[1].Max);
    }

    [Fact]
    public void A_published_scenarios_csv_keeps_its_short_names_and_an_integer_keyed_one_gets_names()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(dir, "scenarios.csv");
        File.WriteAllText(path,
            "scenario,question,attr1,attr2,attr3,attr4,attr5,attr1_min,attr2_min,attr3_min,attr4_min,attr5_min,attr1_max,attr2_max,attr3_max,attr4_max,attr5_max\r\n" +
            "loose_leaf_tea,Which tea?,caffeine_content,leaf_size,oxidation_level,steeping_time,resteep_potential,0.0,0.1,0.0,1.0,1.0,70.0,10.0,100.0,7.0,8.0\r\n" +
            "7,Which condo?,light,rent,floor,view,noise,0,500,1,0,20,12,3000,40,1,90\r\n");
        var parsed = CatalogReader.ReadScenarios(path);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["loose_leaf_tea", "scenario_7"], parsed.Value.Select(s => s.ShortName));
    }
}
