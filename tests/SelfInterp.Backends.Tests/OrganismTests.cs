using SelfInterp.Experiments;
using SelfInterp.Organisms;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests;

/// <summary>A tiny organism, pretrained once for the whole class: plumbing, determinism and formats, not quality.</summary>
public sealed class TinyOrganism
{
    public static readonly OrganismRecipe Recipe = OrganismRecipe.Tiny;
    /// <summary>The base model id the tests' runs give the tiny organism.</summary>
    public const string Id = "tiny";
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("organism").FullName;
    public TinyOrganism() => Pretraining.Run(Recipe, ScenarioCatalog.Embedded(), Directory, threads: 1, null, default);

    /// <summary>A small run on the local backend over the organism in <paramref name="baseModelDir"/>.</summary>
    public static RunConfig RunConfig(string baseModelDir) => PreferencesExperiment.Config(new PreferencesConfig { Instilled = 4, Native = 2, Examples = 10, Validation = 1, Reports = 2, Selections = 6, NativeSelections = 6 }) with
    {
        Preset = "test", Backend = "local", BaseModel = Id,
        BackendOptions = new(StringComparer.Ordinal) { ["base_model_dir"] = baseModelDir },
    };
}

public class OrganismTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Fact]
    public void Magnitudes_use_only_the_attribute_range()
    {
        var p = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100), Catalog, 100);
        var a = Catalog.Scenarios[0].Attributes[0];
        Assert.Equal(0, p.MagnitudeLevel(a, a.Min));
        Assert.Equal(99, p.MagnitudeLevel(a, a.Max));
        Assert.Equal(50, p.MagnitudeLevel(a, a.Min + 0.5 * a.Range));
    }

    [Fact]
    public void Perceived_prompts_have_the_documented_shape()
    {
        var p = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100), Catalog, 100);
        var plan = PreferencesPlan.Create(PreferencesExperiment.Config("quick"));
        var t = plan.DrawTrial(3, new SeededStream("t", 1));
        var d = p.Decision(t);
        Assert.Equal(17, d.Length);
        Assert.Equal(p.AnswerToken, d[^1]);
        for (int i = 0; i < 5; i++) Assert.Equal(p.NameToken(3, i), d[1 + 3 * i]);
        Assert.Equal(22, p.Report(t).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Report_answer_tokens_decode_to_a_report_the_parser_accepts(bool fixedWidth)
    {
        var p = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100), Catalog, 100, fixedWidth);
        int[] w = [-100, 37, 0, 5, 99];
        var tokens = p.ReportAnswer(7, w);
        Assert.Equal(fixedWidth ? 2 + 5 * 6 + 4 + 1 : 2 + 5 * 2 + 4 + 10 + 1, tokens.Length); // braces, names and colons, commas, value characters, eos
        var text = p.ReportText(tokens);
        Assert.Equal($"{{\"{Catalog.Scenarios[7].Attributes[0].Name}\": -100, ", text[..(Catalog.Scenarios[7].Attributes[0].Name.Length + 11)]);
        Assert.True(ReportParser.TryParse(text, Catalog.Scenarios[7], out var parsed, out var problem), problem);
        Assert.Equal(w.Select(x => (double)x), parsed);
    }

    /// <summary>The shipped organisms' recipes are the built-in ones (`pretrain --recipe NAME`): the recipe's
    /// defaults for the reporter, <see cref="OrganismRecipe.Naive"/> for the naive organism, and that at 1,000 steps.</summary>
    [Theory]
    [InlineData("reporter")]
    [InlineData("naive")]
    [InlineData("naive-1000")]
    public void The_shipped_recipes_are_the_built_in_ones(string name)
    {
        var shipped = OrganismRecipe.Load(ShippedOrganisms.DirectoryOf(name));
        Assert.True(BuiltInRecipes.TryGet(name, out var builtIn));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(builtIn), System.Text.Json.JsonSerializer.Serialize(shipped));
    }

    [Fact]
    public void Pretraining_is_reproducible_byte_for_byte()
    {
        var again = System.IO.Directory.CreateTempSubdirectory("organism").FullName;
        Pretraining.Run(TinyOrganism.Recipe, Catalog, again, threads: 1, null, default);
        foreach (var f in new[] { "model.safetensors", "config.json", "tokenizer.json", "recipe.json", "native_weights.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(tiny.Directory, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(again, f))), f);
    }

    [Fact]
    public async Task The_whole_pipeline_runs_on_the_local_backend_and_resumes()
    {
        var config = TinyOrganism.RunConfig(tiny.Directory);
        var dir = Path.Combine(System.IO.Directory.CreateTempSubdirectory().FullName, "run");
        var run = RunDirectory.OpenOrCreate(dir, config);
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, default, checks: ReplyChecks.Off);

        var m = TinyOrganism.Id;
        var selections = File.ReadAllLines(Path.Combine(dir, PaperLayout.InstilledSelections(m)));
        Assert.Equal(4 * 6 + 1, selections.Length);
        Assert.All(selections.Skip(1), line => Assert.Matches("^ft:tiny:instilled:[0-9a-f]{32},[a-z0-9_]+,[AB],", line));
        Assert.Equal(Enum.GetValues<ReportCondition>(), ReportFiles.Find(dir, m).Keys);
        Assert.True(System.IO.Directory.Exists(Path.Combine(dir, "models", "ft-" + run.Model("instilled").Id!.Split(':')[^1])));

        // A fine-tuned model already on disk is reused, not retrained: same id, same bytes.
        var weights = File.ReadAllBytes(Path.Combine(dir, "models", FineTunedModelId.DirectoryName(run.Model("instilled").Id!), "model.safetensors"));
        run.Update(mf => mf.Stages.Remove("instill"));
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, default, checks: ReplyChecks.Off);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(dir, "models", FineTunedModelId.DirectoryName(run.Model("instilled").Id!), "model.safetensors")));
    }
}
