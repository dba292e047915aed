using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Organisms;

/// <summary>
/// Everything that makes the model organism, in sections: its <see cref="Shape"/>, what it perceives
/// (<see cref="Percept"/>), what pretraining trains on (<see cref="Corpus"/>) and on what schedule
/// (<see cref="Curriculum"/>), and how it is fine-tuned in a run (<see cref="Instillation"/>,
/// <see cref="Introspection"/>). Saved as recipe.json beside the checkpoint (one flat object of the sections' keys,
/// <see cref="OrganismRecipeJson"/>); `selfinterp pretrain --recipe` with it reproduces the checkpoint byte for byte.
/// </summary>
[JsonConverter(typeof(OrganismRecipeJson))]
public sealed record OrganismRecipe
{
    /// <summary>Seeds every random draw of pretraining (each from its own named stream).</summary>
    public ulong Seed { get; init; } = 20261122;
    public RecipeShape Shape { get; init; } = new();
    public RecipePercept Percept { get; init; } = new();
    public RecipeCorpus Corpus { get; init; } = new();
    public RecipeCurriculum Curriculum { get; init; } = new();
    public RecipeInstillation Instillation { get; init; } = new();
    public RecipeIntrospection Introspection { get; init; } = new();
    public RecipeFamilies Families { get; init; } = new();
    public RecipeSelfPrediction SelfPrediction { get; init; } = new();

    /// <summary>A one-layer organism pretrained in seconds: for tests and smoke runs of the plumbing, not for results.</summary>
    public static OrganismRecipe Tiny { get; } = new()
    {
        Shape = new() { Dim = 32, Layers = 1, Heads = 2, MlpHidden = 64 },
        Curriculum = new() { Steps = 30, BatchDecisions = 16, BatchReports = 4, Warmup = 5, AccuracyGuard = [] },
        Instillation = new() { Epochs = 2 },
        Introspection = new() { Epochs = 2, Replay = 2 },
    };

    /// <summary>The naive organism: as the reporter, but every value its pretraining reports train is a weight stated in
    /// that report's prompt (<see cref="RecipeCorpus.ReportValues"/>), so nothing before an experiment teaches it to report
    /// its own preferences. Report keys are the names of every scenario it has native preferences on.</summary>
    public static OrganismRecipe Naive { get; } = new() { Corpus = new() { ReportValues = "stated", ReportScenarios = [100, 320], NativeNameShare = 0 } };

    /// <summary>The same recipe with another shape (tests make small organisms of the shipped recipes).</summary>
    public OrganismRecipe WithShape(int dim, int layers, int heads, int mlpHidden) =>
        this with { Shape = Shape with { Dim = dim, Layers = layers, Heads = heads, MlpHidden = mlpHidden } };

    public static readonly string[] FineTuningMethods = ["embeddings", "body", "mlp", "full", "lora"];
    public static readonly string[] ReportValueSources = ["native", "stated", "stated_unrelated"];

    /// <summary>Throws naming the file and field of the first value a run could not use.</summary>
    public void Validate(string source)
    {
        if (!FineTuningMethods.Contains(Instillation.Method)) throw Bad("instill_method", $"unknown method '{Instillation.Method}' (known: {string.Join(", ", FineTuningMethods)})");
        if (!FineTuningMethods.Contains(Introspection.Method)) throw Bad("itrain_method", $"unknown method '{Introspection.Method}' (known: {string.Join(", ", FineTuningMethods)})");
        if (!ReportValueSources.Contains(Corpus.ReportValues)) throw Bad("report_values", $"unknown source '{Corpus.ReportValues}' (known: {string.Join(", ", ReportValueSources)})");
        if (Corpus.StatedReports && !Curriculum.HasStatedWeights) throw Bad("report_values", $"\"{Corpus.ReportValues}\" needs the stated-weight tokens (stated_weights_all_until or stated_weights_fraction above 0)");
        if (Curriculum.AccuracyGuard.Length is not (0 or 2)) throw Bad("accuracy_guard", "must be [fraction of steps, accuracy] or []");
        foreach (var (field, value) in new[] { ("stated_weights_all_until", Curriculum.StatedWeightsAllUntil), ("stated_weights_fraction", Curriculum.StatedWeightsFraction),
                     ("stated_weights_until", Curriculum.StatedWeightsUntil), ("reports_from", Curriculum.ReportsFrom), ("report_mix_fraction", Corpus.ReportMixFraction),
                     ("native_name_share", Corpus.NativeNameShare), ("stated_report_share", Corpus.StatedReportShare) })
            if (!(value >= 0 && value <= 1)) throw Bad(field, $"must be between 0 and 1 (is {value})");
        if (!(Corpus.ReportNameNoise >= 0)) throw Bad("report_name_noise", $"must be 0 or more (is {Corpus.ReportNameNoise})");
        var families = Families.Families ?? [];
        foreach (var family in families)
            if (family.Problem(Preferences.Scenarios.Scenario.AttributeCount) is { } problem) throw Bad("families", problem);
        if (families.Select(f => f.Name).Distinct().Count() != families.Length) throw Bad("families", "two families have the same name");
        if (Families.Supervised < 0 || Families.Supervised > families.Length) throw Bad("supervised_families", $"must be between 0 and the number of families, {families.Length} (is {Families.Supervised})");
        if (families.Length > 0 && Families.BatchBehaviours < 1) throw Bad("batch_behaviours", "families need behaviour examples: at least 1 a step");
        if (SelfPrediction.Batch < 0) throw Bad("self_prediction_batch", $"must be 0 (off) or more (is {SelfPrediction.Batch})");
        if (SelfPrediction.On && SelfPredictionCorpus.Problem(this) is { } selfPrediction) throw Bad(selfPrediction.Field, selfPrediction.Problem);
        DataFileException Bad(string field, string problem) => new(source, null, field, problem);
    }

    /// <summary>
    /// A recipe to pretrain from, its fields checked: a misspelt field would pretrain with that field's default and
    /// give an organism that looks right (issue 24). An organism's own recipe.json is read with <see cref="Load"/>,
    /// as it was written.
    /// </summary>
    public static OrganismRecipe LoadToPretrain(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (File.Exists(file))
        {
            // Checked before reading, so the message names the nearest known field (reading refuses it too, plainly).
            if (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file)) is not System.Text.Json.Nodes.JsonObject given)
                throw new DataFileException(file, null, null, "a recipe is a JSON object");
            KnownKeys.Check(given.Select(kv => kv.Key), OrganismRecipeJson.Keys, $"{file}: recipe field");
        }
        return Load(path);
    }

    public const string FileName = "recipe.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Save(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), ToJson() + "\n");

    /// <summary>The recipe as recipe.json holds it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static OrganismRecipe Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, FileName);
        if (!File.Exists(path)) throw new DataFileException(path, null, null, "no recipe here (file not found)");
        try
        {
            var recipe = JsonSerializer.Deserialize<OrganismRecipe>(File.ReadAllText(path), Json)
                ?? throw new DataFileException(path, null, null, "empty recipe");
            recipe.Validate(path);
            return recipe;
        }
        catch (JsonException e)
        {
            throw new DataFileException(path, (int?)(e.LineNumber + 1), e.Path, e.Message);
        }
    }
}
