using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Csv;
using SelfInterp.Engine.Checkpoints;
using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Organisms;

/// <summary>
/// A model organism on disk: the engine checkpoint (config.json + model.safetensors), tokenizer.json,
/// recipe.json and native_weights.csv (the preferences it was pretrained to have).
/// </summary>
public sealed class Organism
{
    public const string TokenizerFile = "tokenizer.json";
    public const string NativeWeightsFile = "native_weights.csv";

    public Model Model { get; }
    public OrganismRecipe Recipe { get; }
    public OrganismPercept Percept { get; }

    public Organism(Model model, OrganismRecipe recipe, OrganismPercept percept)
    {
        Model = model;
        Recipe = recipe;
        Percept = percept;
    }

    public static Organism Load(string directory, ScenarioCatalog catalog, ModelOptions? options = null)
    {
        var recipe = OrganismRecipe.Load(directory);
        var tokenizer = Tokenizer.Load(Path.Combine(directory, TokenizerFile));
        var model = Checkpoint.Load(directory, options);
        return new Organism(model, recipe, new OrganismPercept(tokenizer, catalog, recipe.Percept.Levels, recipe.Percept.FixedWidthValues));
    }

    /// <summary>Writes checkpoint, tokenizer and recipe (native weights are written once, by pretraining).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Checkpoint.Save(Model, directory);
        Percept.Tokens.Save(Path.Combine(directory, TokenizerFile));
        Recipe.Save(directory);
    }

    public static void SaveNativeWeights(string directory, IReadOnlyDictionary<int, int[]> weights)
    {
        var w = new CsvWriter(["scenario", "attr1", "attr2", "attr3", "attr4", "attr5"]);
        foreach (var (s, ws) in weights.OrderBy(kv => kv.Key))
        {
            w.Field(s);
            foreach (var x in ws) w.Field(x);
        }
        w.WriteTo(Path.Combine(directory, NativeWeightsFile));
    }
}
