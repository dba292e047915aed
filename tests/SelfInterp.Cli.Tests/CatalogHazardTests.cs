using System.Text.Json.Nodes;
using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// Issue 18, case 4: catalog values that passed `scenarios validate` and then broke a run (a rounding crash with
/// files left behind, every value 1e308) or were silently substituted into prompts. Each now gets exit 2 from both
/// `scenarios validate` and `run`, naming the file and field, and `run` leaves no directory behind.
/// </summary>
public class CatalogHazardTests
{
    /// <summary>The shipped catalog with one value of scenario 3 replaced.</summary>
    private static string Catalog(Action<JsonObject> change)
    {
        using var s = typeof(ScenarioCatalog).Assembly.GetManifestResourceStream(ScenarioCatalog.EmbeddedScenarios)!;
        var root = JsonNode.Parse(s)!.AsArray();
        change(root[3]!.AsObject());
        var path = Path.Combine(Directory.CreateTempSubdirectory("catalog").FullName, "catalog.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    private static JsonObject Attribute(JsonObject scenario, int i) => scenario["attributes"]![i]!.AsObject();

    public static TheoryData<string, string> Cases() => new()
    {
        { "narrow_range", "attributes[1].range" },
        { "huge_range", "attributes[1].range" },
        { "huge_magnitude", "attributes[1].range" },
        { "narrow_for_magnitude", "attributes[1].range" },
        { "nan_range", "attributes[1].range" },
        { "infinite_range", "attributes[1].range" },
        { "placeholder_question", "question" },
        { "placeholder_units", "attributes[1].units" },
        { "newline_question", "question" },
        { "placeholder_role", "role" },
        { "tab_role", "role" },
    };

    private static (string Catalog, string? Roles) Make(string hazard)
    {
        void Range(JsonObject s, JsonNode min, JsonNode max) => Attribute(s, 1)["range"] = new JsonArray(min, max);
        string? roles = null;
        string catalog = Catalog(s =>
        {
            switch (hazard)
            {
                case "narrow_range": Range(s, 1.0, 1.0 + 1e-15); break;
                case "huge_range": Range(s, -1e308, 1e308); break;
                case "huge_magnitude": Range(s, 1e300, 2e300); break;
                case "narrow_for_magnitude": Range(s, 1e9, 1e9 + 1e-6); break;
                case "nan_range": Range(s, "NaN", 1.0); break;
                case "infinite_range": Range(s, 0.0, "Infinity"); break;
                case "placeholder_question": s["question"] = "Which one? {options_a}"; break;
                case "placeholder_units": Attribute(s, 1)["units"] = "{question}"; break;
                case "newline_question": s["question"] = "Which one?\n\nOption B:\n- x: 1"; break;
            }
        });
        if (hazard is "placeholder_role" or "tab_role")
        {
            roles = Path.Combine(Path.GetDirectoryName(catalog)!, "roles.txt");
            File.WriteAllText(roles, "a teacher\n" + (hazard == "tab_role" ? "a\tnurse\n" : "a {question} nurse\n") + "a pilot\n");
        }
        return (catalog, roles);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_hazardous_catalog_value_gets_exit_2_naming_file_and_field_and_leaves_nothing(string hazard, string field)
    {
        var (catalog, roles) = Make(hazard);
        string file = roles ?? catalog;
        string[] inputs = roles is null ? ["--catalog", catalog] : ["--roles", roles];

        var (code, stdout, _) = Run(["scenarios", "validate", .. inputs]);
        Assert.Equal(2, code);
        Assert.Contains(file, stdout);
        Assert.Contains($"field '{field}'", stdout);

        var dir = Path.Combine(Directory.CreateTempSubdirectory("hazard").FullName, "run");
        var (runCode, _, err) = Run(["run", "--backend", "simulated", "--out", dir, .. inputs]);
        Assert.Equal(2, runCode);
        Assert.Contains(file, err);
        Assert.Contains($"field '{field}'", err);
        Assert.False(Directory.Exists(dir), "bad input must leave no run directory behind");
    }

    [Fact]
    public void Ranges_at_the_edge_of_what_is_allowed_still_run()
    {
        // Narrow but representable, and large but within a double's exact integers: both are fine.
        var catalog = Catalog(s =>
        {
            Attribute(s, 1)["range"] = new JsonArray(0.5, 0.5 + 1e-9);
            Attribute(s, 2)["range"] = new JsonArray(-1e14, 1e14);
        });
        var dir = Path.Combine(Directory.CreateTempSubdirectory("edge").FullName, "run");
        var (code, _, err) = Run(["run", "--backend", "simulated", "--catalog", catalog, "--out", dir]);
        Assert.True(code == 0, err);
        // Scenario 3's second attribute shown with its ten or eleven decimals (the range in binary is a hair under 1e-9).
        var values = File.ReadAllLines(Path.Combine(dir, "target_choices.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[1] == ScenarioCatalog.Embedded().Scenarios[3].ShortName).Select(f => f[4]).ToList();
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.Matches(@"^0\.50000000\d{2,3}$", v));
    }

    private static (int Code, string Out, string Err) Run(string[] args) => SelfInterpProcess.Run(args);
}
