using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Local;

/// <summary>
/// Everything that makes the model organism: its shape, its pretraining corpus and schedule, and how it is
/// fine-tuned. Saved as recipe.json beside the checkpoint; `selfinterp pretrain --recipe` with it reproduces
/// the checkpoint (same seed, same thread count). Scenario ranges are catalog ids [from, to).
/// </summary>
public sealed record OrganismRecipe
{
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 20261122;
    [JsonPropertyName("levels")] public int Levels { get; init; } = 100;
    [JsonPropertyName("dim")] public int Dim { get; init; } = 128;
    [JsonPropertyName("layers")] public int Layers { get; init; } = 2;
    [JsonPropertyName("heads")] public int Heads { get; init; } = 4;
    [JsonPropertyName("mlp_hidden")] public int MlpHidden { get; init; } = 384;
    /// <summary>Multiplies the engine's N(0, 0.02) initialisation of every matrix (1 = as the engine makes it). At 1 the
    /// organism stayed at chance for 1,500 steps; at 2.5 (about PyTorch's default scale) it chose 77% right by step 450.</summary>
    [JsonPropertyName("init_scale")] public float InitScale { get; init; } = 2.5f;
    /// <summary>During pretraining, keep the magnitude embeddings on a line, base + t·direction with t from -1
    /// to 1: magnitudes are then ordered and evenly spaced from the first step, so comparing two values is a
    /// linear read-out rather than something to discover for each of the 100 levels.</summary>
    [JsonPropertyName("magnitude_line")] public bool MagnitudeLine { get; init; } = true;
    /// <summary>The organism writes each reported value as a sign and three digits (+045), so every name and
    /// digit of a report stands at the same place; its replies are read back as plain JSON numbers (45).</summary>
    [JsonPropertyName("fixed_width_values")] public bool FixedWidthValues { get; init; } = true;
    /// <summary>Report examples in pretraining do not train the attribute-name embeddings: those are shaped by
    /// choices alone, so the report circuit must learn to read the preferences that drive choices, rather
    /// than memorise each name's answer.</summary>
    [JsonPropertyName("detach_report_names")] public bool DetachReportNames { get; init; } = true;
    /// <summary>Share of pretraining report examples whose five attributes are drawn from random report scenarios
    /// (each with its own scenario's weight): no scenario's report can then be memorised as a whole, so the
    /// names must be copied from the prompt and each value read from its own name.</summary>
    [JsonPropertyName("report_mix_fraction")] public double ReportMixFraction { get; init; } = 0.75;
    /// <summary>Gives the decoder a learned absolute position table as well as rotary positions, so the k-th
    /// name of a report can be copied from the k-th place of the prompt's name list by position alone.</summary>
    [JsonPropertyName("learned_positions")] public bool LearnedPositions { get; init; } = true;
    /// <summary>Stated-weight curriculum: until this fraction of the steps, every attribute-name slot of a
    /// pretraining decision shows instead a token stating that attribute's weight (w/100 on a learned line),
    /// so the network first learns to weigh magnitudes by a weight it can see, then to find the weight in
    /// the name. 0 turns the fully stated phase off.</summary>
    [JsonPropertyName("stated_weights_all_until")] public double StatedWeightsAllUntil { get; init; } = 0.15;
    /// <summary>After the fully stated phase and until <see cref="StatedWeightsUntil"/>, this share of name
    /// slots still shows the stated weight.</summary>
    [JsonPropertyName("stated_weights_fraction")] public double StatedWeightsFraction { get; init; } = 0.3;
    [JsonPropertyName("stated_weights_until")] public double StatedWeightsUntil { get; init; } = 0.5;
    /// <summary>Report examples join pretraining only from this fraction of the steps on: once choices have put
    /// the weights into the names, the report circuit learns to read them instead of memorising the names'
    /// random initial identities.</summary>
    [JsonPropertyName("reports_from")] public double ReportsFrom { get; init; }
    /// <summary>Guard against the chance plateau: by <c>[0]</c> of the steps the decision accuracy must pass
    /// <c>[1]</c>, else pretraining stops with an error rather than ship a model that learnt nothing.</summary>
    [JsonPropertyName("accuracy_guard")] public double[] AccuracyGuard { get; init; } = [0.4, 0.6];

    [JsonIgnore] public bool HasStatedWeights => StatedWeightsAllUntil > 0 || (StatedWeightsFraction > 0 && StatedWeightsUntil > 0);

    /// <summary>Synthetic scenarios (own name tokens, values seen only as magnitudes, weights drawn like the
    /// others) decided and reported in pretraining alongside the report scenarios: more names for the report
    /// circuit to learn copying and reading from, without touching any scenario a run measures.</summary>
    [JsonPropertyName("synthetic_scenarios")] public int SyntheticScenarios { get; init; }

    /// <summary>Share of pretraining report slots (each attribute of a mixed report, or a whole one-scenario report)
    /// given to the decision-only scenarios — the native scenarios a run measures. Their names are copied as keys
    /// with a loss; their values are random filler trained only as "a sign, then digits" (a set target: any sign,
    /// any digit), so no report ever states or trains a weight of theirs. The report circuit then learns to copy
    /// every name it will be asked about, as GPT-4o can copy any word, without learning those scenarios' preferences.</summary>
    [JsonPropertyName("native_name_share")] public double NativeNameShare { get; init; } = 0.3;

    /// <summary>Report examples in pretraining read every attribute name with Gaussian noise added to its embedding,
    /// this times the trained names' per-dimension spread (decisions read them clean): the report circuit learns to
    /// read a name's weight from anywhere near where choices put it, as instillation will move the names. 0: off.</summary>
    [JsonPropertyName("report_name_noise")] public double ReportNameNoise { get; init; } = 0.5;

    /// <summary>Never-trained names (the instilled scenarios') are set to the mean trained name embedding plus
    /// this times their per-dimension spread: 1 makes them look like any trained name, 0 all alike.</summary>
    [JsonPropertyName("unfamiliar_name_noise")] public double UnfamiliarNameNoise { get; init; } = 1.0;

    /// <summary>Where the values of pretraining reports come from. "native": the report scenarios' own preferences,
    /// learnt from choices — the organism is taught to read out its preferences before any experiment (the reporter,
    /// a positive control). "stated": every trained value is a weight stated in the example's own prompt (the attribute's
    /// slot shows the stated-weight token in place of its name, the name stays in the report's list as the key to
    /// copy), so the organism learns the report format and to write down weights it can see, never one it would have
    /// to find in itself (the naive organism). Stated weights are drawn afresh for each report, unrelated to any
    /// scenario's native weights.</summary>
    [JsonPropertyName("report_values")] public string ReportValues { get; init; } = "native";
    /// <summary>With "stated" report values: the share of report slots whose weight is stated (and trained); the others
    /// show the name and train only the key and the value's format (a sign, then digits).</summary>
    [JsonPropertyName("stated_report_share")] public double StatedReportShare { get; init; } = 0.5;
    [JsonIgnore] public bool StatedReports => ReportValues == "stated";
    public static readonly string[] ReportValueSources = ["native", "stated"];

    /// <summary>Scenarios whose native preferences the organism acquires from choices in pretraining.
    /// The instilled scenarios (0–99) are never among them: their names are never trained on any weights.</summary>
    [JsonPropertyName("decision_scenarios")] public int[] DecisionScenarios { get; init; } = [100, 320];
    /// <summary>Scenarios whose native weights it is also taught to report ("native" report values). Disjoint from the
    /// native scenarios a run measures (100–199), so native reports test reporting of preferences learnt only through
    /// choices. With "stated" report values, the scenarios whose names are the keys of pretraining reports.</summary>
    [JsonPropertyName("report_scenarios")] public int[] ReportScenarios { get; init; } = [200, 320];

    [JsonPropertyName("steps")] public int Steps { get; init; } = 3000;
    [JsonPropertyName("batch_decisions")] public int BatchDecisions { get; init; } = 256;
    [JsonPropertyName("batch_reports")] public int BatchReports { get; init; } = 96;
    [JsonPropertyName("lr")] public float LearningRate { get; init; } = 2e-3f;
    [JsonPropertyName("warmup")] public int Warmup { get; init; } = 200;
    [JsonPropertyName("min_lr_fraction")] public float MinLearningRateFraction { get; init; } = 0.1f;
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; init; } = 0.05f;

    /// <summary>Instillation: which parameters train ("embeddings": only the rows of the attribute names in
    /// the examples; "full": everything; "lora": low-rank adapters on every projection, merged after training),
    /// for how many epochs, at what rate, in batches of what size. A run can override these (<see cref="InstillationOptions"/>).</summary>
    [JsonPropertyName("instill_method")] public string InstillMethod { get; init; } = "embeddings";
    [JsonPropertyName("instill_epochs")] public int InstillEpochs { get; init; } = 10;
    [JsonPropertyName("instill_lr")] public float InstillLearningRate { get; init; } = 2e-3f;
    [JsonPropertyName("instill_batch")] public int InstillBatch { get; init; } = 50;

    [JsonPropertyName("itrain_method")] public string ItrainMethod { get; init; } = "body";
    [JsonPropertyName("itrain_epochs")] public int ItrainEpochs { get; init; } = 5;
    [JsonPropertyName("itrain_lr")] public float ItrainLearningRate { get; init; } = 1e-3f;
    /// <summary>Report examples of the pretraining corpus (report scenarios, native weights) added to every
    /// introspection-training batch: rehearsal, so that a hundred reports on new names do not wear away the report
    /// format on the names they do not show. Carries nothing about instilled or native-measured scenarios.</summary>
    [JsonPropertyName("itrain_replay")] public int ItrainReplay { get; init; } = 10;
    /// <summary>Introspection training runs at least this many optimizer steps: a small training file gets as many
    /// more epochs as it takes (hosted fine-tuning, too, picks more epochs for small files). A few large steps
    /// and no more left the report format damaged; a full schedule lets it settle.</summary>
    [JsonPropertyName("itrain_min_steps")] public int ItrainMinSteps { get; init; } = 25;
    [JsonPropertyName("itrain_batch")] public int ItrainBatch { get; init; } = 10;

    /// <summary>A one-layer organism pretrained in seconds: for tests and smoke runs of the plumbing, not for results.</summary>
    public static OrganismRecipe Tiny { get; } = new()
    {
        Dim = 32, Layers = 1, Heads = 2, MlpHidden = 64, Steps = 30, BatchDecisions = 16, BatchReports = 4, Warmup = 5,
        InstillEpochs = 2, ItrainEpochs = 2, ItrainReplay = 2, AccuracyGuard = [],
    };

    /// <summary>The naive organism: as the reporter, but every value its pretraining reports train is a weight stated in
    /// that report's prompt (<see cref="ReportValues"/>), so nothing before an experiment teaches it to report its own
    /// preferences. Report keys are the names of every scenario it has native preferences on.</summary>
    public static OrganismRecipe Naive { get; } = new() { ReportValues = "stated", ReportScenarios = [100, 320], NativeNameShare = 0 };

    public static readonly string[] FineTuningMethods = ["embeddings", "body", "mlp", "full", "lora"];

    /// <summary>Throws naming the file and field of the first value a run could not use.</summary>
    public void Validate(string source)
    {
        if (!FineTuningMethods.Contains(InstillMethod)) throw Bad("instill_method", $"unknown method '{InstillMethod}' (known: {string.Join(", ", FineTuningMethods)})");
        if (!FineTuningMethods.Contains(ItrainMethod)) throw Bad("itrain_method", $"unknown method '{ItrainMethod}' (known: {string.Join(", ", FineTuningMethods)})");
        if (!ReportValueSources.Contains(ReportValues)) throw Bad("report_values", $"unknown source '{ReportValues}' (known: {string.Join(", ", ReportValueSources)})");
        if (StatedReports && !HasStatedWeights) throw Bad("report_values", "\"stated\" needs the stated-weight tokens (stated_weights_all_until or stated_weights_fraction above 0)");
        if (AccuracyGuard.Length is not (0 or 2)) throw Bad("accuracy_guard", "must be [fraction of steps, accuracy] or []");
        foreach (var (field, value) in new[] { ("stated_weights_all_until", StatedWeightsAllUntil), ("stated_weights_fraction", StatedWeightsFraction),
                     ("stated_weights_until", StatedWeightsUntil), ("reports_from", ReportsFrom), ("report_mix_fraction", ReportMixFraction), ("native_name_share", NativeNameShare), ("stated_report_share", StatedReportShare) })
            if (!(value >= 0 && value <= 1)) throw Bad(field, $"must be between 0 and 1 (is {value})");
        if (!(ReportNameNoise >= 0)) throw Bad("report_name_noise", $"must be 0 or more (is {ReportNameNoise})");
        DataFileException Bad(string field, string problem) => new(source, null, field, problem);
    }

    /// <summary>
    /// A recipe to pretrain from, its fields checked: a misspelt field would pretrain with that field's default and
    /// give an organism that looks right (issue 24). An organism's own recipe.json is read with <see cref="Load"/>,
    /// as it was written.
    /// </summary>
    public static OrganismRecipe LoadToPretrain(string path)
    {
        var recipe = Load(path);
        if (Directory.Exists(path)) path = Path.Combine(path, FileName);
        var known = JsonSerializer.SerializeToNode(new OrganismRecipe(), Json)!.AsObject().Select(kv => kv.Key).ToList();
        if (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) is not System.Text.Json.Nodes.JsonObject given)
            throw new DataFileException(path, null, null, "a recipe is a JSON object");
        KnownKeys.Check(given.Select(kv => kv.Key), known, $"{path}: recipe field");
        return recipe;
    }

    public const string FileName = "recipe.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Save(string directory) =>
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json) + "\n");

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
