using System.Text.Json.Serialization;

namespace SelfInterp.Organisms;

/// <summary>The network: a decoder of our engine (RMSNorm, SwiGLU, tied embeddings, rotary positions).</summary>
public sealed record RecipeShape
{
    [JsonPropertyName("dim")] public int Dim { get; init; } = 128;
    [JsonPropertyName("layers")] public int Layers { get; init; } = 2;
    [JsonPropertyName("heads")] public int Heads { get; init; } = 4;
    [JsonPropertyName("mlp_hidden")] public int MlpHidden { get; init; } = 384;
    /// <summary>Multiplies the engine's N(0, 0.02) initialisation of every matrix (1 = as the engine makes it). At 1 the
    /// organism stayed at chance for 1,500 steps; at 2.5 (about PyTorch's default scale) it chose 77% right by step 450.</summary>
    [JsonPropertyName("init_scale")] public float InitScale { get; init; } = 2.5f;
    /// <summary>Gives the decoder a learned absolute position table as well as rotary positions, so the k-th
    /// name of a report can be copied from the k-th place of the prompt's name list by position alone.</summary>
    [JsonPropertyName("learned_positions")] public bool LearnedPositions { get; init; } = true;
}

/// <summary>How the organism sees a prompt and writes a reply (docs/organism.md, "What an organism perceives").</summary>
public sealed record RecipePercept
{
    /// <summary>Magnitude tokens per option: a value is its place in its attribute's range, 0..levels-1.</summary>
    [JsonPropertyName("levels")] public int Levels { get; init; } = 100;
    /// <summary>During pretraining, keep the magnitude embeddings on a line, base + t·direction with t from -1
    /// to 1: magnitudes are then ordered and evenly spaced from the first step, so comparing two values is a
    /// linear read-out rather than something to discover for each of the 100 levels.</summary>
    [JsonPropertyName("magnitude_line")] public bool MagnitudeLine { get; init; } = true;
    /// <summary>The organism writes each reported value as a sign and three digits (+045), so every name and
    /// digit of a report stands at the same place; its replies are read back as plain JSON numbers (45).</summary>
    [JsonPropertyName("fixed_width_values")] public bool FixedWidthValues { get; init; } = true;
}

/// <summary>What pretraining trains on: which scenarios are decided and reported, where report values come from,
/// how the report examples are mixed, and what is done to the attribute-name embeddings. Scenario ranges are
/// catalog ids [from, to).</summary>
public sealed record RecipeCorpus
{
    /// <summary>Scenarios whose native preferences the organism acquires from choices in pretraining.
    /// The instilled scenarios (0–99) are never among them: their names are never trained on any weights.</summary>
    [JsonPropertyName("decision_scenarios")] public int[] DecisionScenarios { get; init; } = [100, 320];
    /// <summary>Scenarios whose native weights it is also taught to report ("native" report values). Disjoint from the
    /// native scenarios a run measures (100–199), so native reports test reporting of preferences learnt only through
    /// choices. With "stated" report values, the scenarios whose names are the keys of pretraining reports.</summary>
    [JsonPropertyName("report_scenarios")] public int[] ReportScenarios { get; init; } = [200, 320];
    /// <summary>Where the values of pretraining reports come from. "native": the report scenarios' own preferences,
    /// learnt from choices — the organism is taught to read out its preferences before any experiment (the reporter,
    /// a positive control). "stated": every trained value is a weight stated in the example's own prompt (the attribute's
    /// slot shows the stated-weight token in place of its name, the name stays in the report's list as the key to
    /// copy), so the organism learns the report format and to write down weights it can see, never one it would have
    /// to find in itself (the naive organism). Stated weights are drawn afresh for each report, unrelated to any
    /// scenario's native weights. "stated_unrelated": the same prompts, but each trained value is a weight drawn apart
    /// from the one its slot states (the label control of issue 28: the format and the load of "stated", without the
    /// skill of writing down a weight one is shown).</summary>
    [JsonPropertyName("report_values")] public string ReportValues { get; init; } = "native";
    /// <summary>With "stated" report values: the share of report slots whose weight is stated (and trained); the others
    /// show the name and train only the key and the value's format (a sign, then digits).</summary>
    [JsonPropertyName("stated_report_share")] public double StatedReportShare { get; init; } = 0.5;
    /// <summary>Share of pretraining report examples whose five attributes are drawn from random report scenarios
    /// (each with its own scenario's weight): no scenario's report can then be memorised as a whole, so the
    /// names must be copied from the prompt and each value read from its own name.</summary>
    [JsonPropertyName("report_mix_fraction")] public double ReportMixFraction { get; init; } = 0.75;
    /// <summary>Share of pretraining report slots (each attribute of a mixed report, or a whole one-scenario report)
    /// given to the decision-only scenarios — the native scenarios a run measures. Their names are copied as keys
    /// with a loss; their values are random filler trained only as "a sign, then digits" (a set target: any sign,
    /// any digit), so no report ever states or trains a weight of theirs. The report circuit then learns to copy
    /// every name it will be asked about, as GPT-4o can copy any word, without learning those scenarios' preferences.</summary>
    [JsonPropertyName("native_name_share")] public double NativeNameShare { get; init; } = 0.3;
    /// <summary>Synthetic scenarios (own name tokens, values seen only as magnitudes, weights drawn like the
    /// others) decided and reported in pretraining alongside the report scenarios: more names for the report
    /// circuit to learn copying and reading from, without touching any scenario a run measures.</summary>
    [JsonPropertyName("synthetic_scenarios")] public int SyntheticScenarios { get; init; }
    /// <summary>Report examples in pretraining do not train the attribute-name embeddings: those are shaped by
    /// choices alone, so the report circuit must learn to read the preferences that drive choices, rather
    /// than memorise each name's answer.</summary>
    [JsonPropertyName("detach_report_names")] public bool DetachReportNames { get; init; } = true;
    /// <summary>Report examples in pretraining read every attribute name with Gaussian noise added to its embedding,
    /// this times the trained names' per-dimension spread (decisions read them clean): the report circuit learns to
    /// read a name's weight from anywhere near where choices put it, as instillation will move the names. 0: off.</summary>
    [JsonPropertyName("report_name_noise")] public double ReportNameNoise { get; init; } = 0.5;
    /// <summary>Never-trained names (the instilled scenarios') are set to the mean trained name embedding plus
    /// this times their per-dimension spread: 1 makes them look like any trained name, 0 all alike.</summary>
    [JsonPropertyName("unfamiliar_name_noise")] public double UnfamiliarNameNoise { get; init; } = 1.0;
    /// <summary>Draw the never-trained names from the trained names' full covariance (times
    /// <see cref="UnfamiliarNameNoise"/>) instead of each dimension's own spread, so they vary together across dimensions
    /// as trained names do. Off by default: the shipped organisms were made with the per-dimension draw, whose names the
    /// base model's own-choice control reads differently from its trained ones (issue 27).</summary>
    [JsonPropertyName("unfamiliar_name_covariance"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool UnfamiliarNameCovariance { get; init; }

    /// <summary>The report prompts state weights ("stated" and its control "stated_unrelated").</summary>
    [JsonIgnore] public bool StatedReports => ReportValues is "stated" or "stated_unrelated";
    /// <summary>The values trained in stated slots are drawn apart from the weights the slots state.</summary>
    [JsonIgnore] public bool UnrelatedStatedValues => ReportValues == "stated_unrelated";
}

/// <summary>The schedule: how many steps of how large batches, the optimiser's rates, the stated-weight curriculum,
/// when reports join, and the guard against a run stuck at chance.</summary>
public sealed record RecipeCurriculum
{
    [JsonPropertyName("steps")] public int Steps { get; init; } = 3000;
    [JsonPropertyName("batch_decisions")] public int BatchDecisions { get; init; } = 256;
    [JsonPropertyName("batch_reports")] public int BatchReports { get; init; } = 96;
    [JsonPropertyName("lr")] public float LearningRate { get; init; } = 2e-3f;
    [JsonPropertyName("warmup")] public int Warmup { get; init; } = 200;
    [JsonPropertyName("min_lr_fraction")] public float MinLearningRateFraction { get; init; } = 0.1f;
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; init; } = 0.05f;
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
}

/// <summary>Instillation: which parameters train ("embeddings": only the rows of the attribute names in
/// the examples; "full": everything; "lora": low-rank adapters on every projection, merged after training),
/// for how many epochs, at what rate, in batches of what size. A run can override these (<see cref="InstillationOptions"/>).</summary>
public sealed record RecipeInstillation
{
    [JsonPropertyName("instill_method")] public string Method { get; init; } = "embeddings";
    [JsonPropertyName("instill_epochs")] public int Epochs { get; init; } = 10;
    [JsonPropertyName("instill_lr")] public float LearningRate { get; init; } = 2e-3f;
    [JsonPropertyName("instill_batch")] public int Batch { get; init; } = 50;
}

/// <summary>Introspection training: the method, epochs, rate and batch of fine-tuning on reports, and its rehearsal.</summary>
public sealed record RecipeIntrospection
{
    [JsonPropertyName("itrain_method")] public string Method { get; init; } = "body";
    [JsonPropertyName("itrain_epochs")] public int Epochs { get; init; } = 5;
    [JsonPropertyName("itrain_lr")] public float LearningRate { get; init; } = 1e-3f;
    /// <summary>Report examples of the pretraining corpus (report scenarios, native weights) added to every
    /// introspection-training batch: rehearsal, so that a hundred reports on new names do not wear away the report
    /// format on the names they do not show. Carries nothing about instilled or native-measured scenarios.</summary>
    [JsonPropertyName("itrain_replay")] public int Replay { get; init; } = 10;
    /// <summary>Introspection training runs at least this many optimizer steps: a small training file gets as many
    /// more epochs as it takes (hosted fine-tuning, too, picks more epochs for small files). A few large steps
    /// and no more left the report format damaged; a full schedule lets it settle.</summary>
    [JsonPropertyName("itrain_min_steps")] public int MinSteps { get; init; } = 25;
    [JsonPropertyName("itrain_batch")] public int Batch { get; init; } = 10;
}

/// <summary>The behaviour families of the self-description recipes (<see cref="BehaviourFamily"/>, docs/organism.md):
/// beside the paper's weighted choice, families of other behaviours whose entities each have one latent, learnt from
/// behaviour only; the first <see cref="Supervised"/> of them are also reported in pretraining, the paper's family
/// never (its report scenarios are empty in those recipes). Empty in the shipped recipes.</summary>
public sealed record RecipeFamilies
{
    [JsonPropertyName("families"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BehaviourFamily[]? Families { get; init; }
    /// <summary>How many of the families, from the first, pretraining reports on.</summary>
    [JsonPropertyName("supervised_families"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Supervised { get; init; }
    /// <summary>Behaviour examples a step, over the families uniformly (beside the paper's decisions).</summary>
    [JsonPropertyName("batch_behaviours"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int BatchBehaviours { get; init; }
    /// <summary>The control: each supervised family's reports give every entity another entity's latent (a fixed
    /// permutation per family), so the labels say nothing about the entity's behaviour.</summary>
    [JsonPropertyName("permute_report_labels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PermuteReportLabels { get; init; }
}

/// <summary>On-policy self-prediction (issue 28, after Binder et al. 2024; <see cref="SelfPredictionCorpus"/>,
/// docs/organism.md): hypothetical questions about the organism's own behaviour whose targets are its own current
/// answers, recomputed without gradient every step. Off (no question, nothing drawn) unless <see cref="Batch"/> is above 0;
/// every key is written only when set, so the recipes without it keep their recipe.json bytes.</summary>
public sealed record RecipeSelfPrediction
{
    /// <summary>Hypothetical questions a step (0: off).</summary>
    [JsonPropertyName("self_prediction_batch"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Batch { get; init; }
    /// <summary>The question types, drawn uniformly (<see cref="SelfPredictionCorpus.Questions"/>).</summary>
    [JsonPropertyName("self_prediction_questions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? Questions { get; init; }
    /// <summary>The paper's scenarios the questions about weighted choice are asked on, catalog ids [from, to). Never the
    /// instilled ones (0–99, whose names pretraining never shows).</summary>
    [JsonPropertyName("self_prediction_scenarios"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? Scenarios { get; init; }
    /// <summary>Questions join pretraining from this fraction of the steps on (once choices read names, not stated weights).</summary>
    [JsonPropertyName("self_prediction_from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double From { get; init; }
    /// <summary>The control: each question is trained towards the organism's own answer to another question of the same
    /// step with the same answer set (a seeded shuffle), so the target is on-policy in distribution but says nothing about
    /// the prompt asked.</summary>
    [JsonPropertyName("self_prediction_shuffled"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Shuffled { get; init; }

    [JsonIgnore] public bool On => Batch > 0;
}
