using SelfInterp.Core.Runs;

namespace SelfInterp.Organisms;

/// <summary>
/// The recipes `selfinterp pretrain --recipe NAME` knows by name: the shipped organisms' (naive, naive-1000, reporter),
/// the 1,000-step naive recipe's label control, the leave-one-family-out self-description recipes of issue 28
/// (docs/organism.md, "Self-description recipes"), the on-policy self-prediction recipe and its control
/// ("Self-prediction recipes"), and the different-task-structure recipes and their control ("Different task structures").
/// </summary>
public static class BuiltInRecipes
{
    /// <summary>Supervised family counts with a recipe of their own.</summary>
    public static readonly int[] SupervisedCounts = [1, 3, 7, 15];

    public const string SelfDescriptionPrefix = "self-description-";
    public const string PermutedControl = "self-description-permuted";
    public const string SelfPredictionName = "self-prediction";
    public const string ShuffledControl = "self-prediction-shuffled";
    public const string ThreeAttributeName = "structure-3attr";
    public const string LotteryName = "structure-lottery";
    public const string ThreeAttributePermuted = "structure-3attr-permuted";
    public const string NaiveShortName = "naive-1000";
    public const string NaiveShortUnrelated = "naive-1000-unrelated";
    public const string HoldLotteryName = "self-description-hold-lottery";
    public const string HoldLotteryPermuted = "self-description-hold-lottery-permuted";

    public static IReadOnlyList<string> Names { get; } =
        ["naive", NaiveShortName, NaiveShortUnrelated, "reporter", .. SupervisedCounts.Select(n => SelfDescriptionPrefix + n), PermutedControl, HoldLotteryName, HoldLotteryPermuted,
         SelfPredictionName, ShuffledControl,
         ThreeAttributeName, LotteryName, ThreeAttributePermuted];

    /// <summary>
    /// The value of a `--recipe` option: a built-in recipe's name, the alias of the default organism, or a recipe.json
    /// (or a directory holding one). A bare name is the built-in recipe even where a directory of that name exists in
    /// the working directory (an evaluation's --out is often named after its recipe); `./naive` names the directory.
    /// </summary>
    public static OrganismRecipe Resolve(string value, string option)
    {
        if (value == ShippedOrganisms.DefaultAlias) value = ShippedOrganisms.Default;
        if (TryGet(value, out var builtIn)) return builtIn;
        if (!File.Exists(value) && !Directory.Exists(value))
            throw new UsageException($"{option} {value}: no such recipe file or directory, and not a built-in recipe (built-in: {string.Join(", ", Names)})");
        return OrganismRecipe.LoadToPretrain(value);
    }

    public static bool TryGet(string name, out OrganismRecipe recipe)
    {
        recipe = name switch
        {
            "naive" => OrganismRecipe.Naive,
            "reporter" => new OrganismRecipe(),
            NaiveShortName => NaiveShort(),
            NaiveShortUnrelated => NaiveShort(unrelatedValues: true),
            PermutedControl => SelfDescription(SelfDescriptionFamilies.Length, permutedLabels: true),
            HoldLotteryName => HoldLottery(),
            HoldLotteryPermuted => HoldLottery(permutedLabels: true),
            SelfPredictionName => SelfPrediction(),
            ShuffledControl => SelfPrediction(shuffledTargets: true),
            ThreeAttributeName => DifferentStructure(ThreeAttributeFamilies),
            LotteryName => DifferentStructure(LotteryFamilies),
            ThreeAttributePermuted => DifferentStructure(ThreeAttributeFamilies, permutedLabels: true),
            _ when name.StartsWith(SelfDescriptionPrefix, StringComparison.Ordinal) && int.TryParse(name[SelfDescriptionPrefix.Length..], out int n)
                   && SupervisedCounts.Contains(n) => SelfDescription(n),
            _ => null!,
        };
        return recipe is not null;
    }

    /// <summary>
    /// The naive recipe pretrained for 1,000 steps in place of 3,000, nothing else changed: at that schedule it reports
    /// its instilled weights without introspection training (docs/organism.md, "An untaught self-report"). With
    /// <paramref name="unrelatedValues"/>, its label control: the same prompts, every trained value drawn apart from the
    /// weight its slot states (<c>report_values: "stated_unrelated"</c>).
    /// </summary>
    public static OrganismRecipe NaiveShort(bool unrelatedValues = false)
    {
        var naive = OrganismRecipe.Naive;
        return naive with
        {
            Curriculum = naive.Curriculum with { Steps = 1000 },
            Corpus = unrelatedValues ? naive.Corpus with { ReportValues = "stated_unrelated" } : naive.Corpus,
        };
    }

    /// <summary>
    /// Leave-one-family-out self-description: the reporter's shape, decisions and curriculum, with no report of the
    /// paper's weighted choice at all (no report scenarios, no names-only slots: neither a key nor a value of it is
    /// trained), beside 15 behaviour families whose entities learn their latents from behaviour only (report gradients
    /// kept out of the names), the first <paramref name="supervised"/> of them reported in the paper's format. With
    /// <paramref name="permutedLabels"/>, the control: reports give each entity another entity's latent.
    /// </summary>
    public static OrganismRecipe SelfDescription(int supervised, bool permutedLabels = false) =>
        PapersChoiceNeverReported(SelfDescriptionFamilies, supervised, permutedLabels);

    /// <summary>
    /// A second held-out family (issue 28: "the sweep repeated with another family held out"): the self-description
    /// families with every lottery family left unreported — the 11 rating, threshold and estimation families supervised,
    /// the 4 lottery families learnt from behaviour only — and, as in <see cref="SelfDescription"/>, the paper's weighted
    /// choice never reported either. Evaluated on a lottery family (<c>evaluate-organism --held-out-family lottery_a</c>,
    /// <see cref="HeldOutFamily"/>) as well as on the paper's choice. With <paramref name="permutedLabels"/>, the control.
    /// </summary>
    public static OrganismRecipe HoldLottery(bool permutedLabels = false)
    {
        var families = SelfDescriptionFamilies.Where(f => f.Kind != "lottery").Concat(SelfDescriptionFamilies.Where(f => f.Kind == "lottery")).ToArray();
        return PapersChoiceNeverReported(families, families.Count(f => f.Kind != "lottery"), permutedLabels);
    }

    /// <summary>
    /// Different task structures: the reporter's own-preference reports supervised only on scenarios of another
    /// structure — <paramref name="families"/>, every one of them reported (3-attribute weighted choices, or lotteries) —
    /// while the paper's 5-attribute weighted choice is learnt from choices and never reported, as in
    /// <see cref="SelfDescription"/>. With <paramref name="permutedLabels"/>, the control.
    /// </summary>
    public static OrganismRecipe DifferentStructure(BehaviourFamily[] families, bool permutedLabels = false) =>
        PapersChoiceNeverReported(families, families.Length, permutedLabels);

    /// <summary>The reporter's shape, decisions and curriculum with no report of the paper's weighted choice at all (no
    /// report scenarios, no names-only slots: neither a key nor a value of it is trained), beside behaviour families whose
    /// first <paramref name="supervised"/> are reported.</summary>
    private static OrganismRecipe PapersChoiceNeverReported(BehaviourFamily[] families, int supervised, bool permutedLabels)
    {
        var reporter = new OrganismRecipe();
        return reporter with
        {
            Corpus = reporter.Corpus with { ReportScenarios = [100, 100], NativeNameShare = 0 },
            Families = new RecipeFamilies { Families = families, Supervised = supervised, BatchBehaviours = 128, PermuteReportLabels = permutedLabels },
        };
    }

    /// <summary>
    /// On-policy self-prediction: <c>self-description-15</c> (the report format on 15 families, the paper's weighted choice
    /// never reported) with 64 hypothetical questions a step about the organism's own behaviour — its answer on a family's
    /// prompt, its choice on a paper's decision, its choice if only one attribute differed — each trained towards the answer
    /// the organism gives now (<see cref="SelfPredictionCorpus"/>). The paper's questions are asked on the report-free
    /// scenarios 200–319 (never the native ones a run measures, 100–199, nor the instilled ones), from half the steps on,
    /// when the stated-weight curriculum has ended and choices read names only. Numeric weight reports of the paper's family stay held out. With
    /// <paramref name="shuffledTargets"/>, the control: each question's target is the organism's answer to another question.
    /// </summary>
    public static OrganismRecipe SelfPrediction(bool shuffledTargets = false) => SelfDescription(SelfDescriptionFamilies.Length) with
    {
        SelfPrediction = new RecipeSelfPrediction
        {
            Batch = 64, Questions = [.. SelfPredictionCorpus.Questions], Scenarios = [200, 320], From = 0.5, Shuffled = shuffledTargets,
        },
    };

    /// <summary>Four kinds taken in turn, so every supervised count above 3 has each kind, and gains of both signs and
    /// several sizes, so no two families read their latent the same way.</summary>
    public static readonly BehaviourFamily[] SelfDescriptionFamilies =
    [
        new() { Name = "rating_a", Kind = "rating", Gain = 1, Noise = 0.1 },
        new() { Name = "threshold_a", Kind = "threshold", Gain = 1, Noise = 0.05 },
        new() { Name = "lottery_a", Kind = "lottery", Gain = 1, Probability = 0.5, Noise = 0.05 },
        new() { Name = "estimation_a", Kind = "estimation", Gain = 1, Noise = 0.1 },
        new() { Name = "rating_b", Kind = "rating", Gain = -1, Noise = 0.2 },
        new() { Name = "threshold_b", Kind = "threshold", Gain = -0.7 },
        new() { Name = "lottery_b", Kind = "lottery", Gain = -1, Probability = 0.3 },
        new() { Name = "estimation_b", Kind = "estimation", Gain = -0.7 },
        new() { Name = "rating_c", Kind = "rating", Gain = 0.6 },
        new() { Name = "threshold_c", Kind = "threshold", Gain = 0.5, Noise = 0.1 },
        new() { Name = "lottery_c", Kind = "lottery", Gain = 0.7, Probability = 0.7 },
        new() { Name = "estimation_c", Kind = "estimation", Gain = 1, Noise = 0.3 },
        new() { Name = "rating_d", Kind = "rating", Gain = -0.5, Noise = 0.1 },
        new() { Name = "threshold_d", Kind = "threshold", Gain = -1, Noise = 0.2 },
        new() { Name = "lottery_d", Kind = "lottery", Gain = -0.6, Probability = 0.5, Noise = 0.1 },
    ];

    /// <summary>The paper's task with three attributes in place of five, on names of its own: 4 families of 20 scenarios
    /// (60 entities), each entity an attribute whose weight is drawn as the protocol draws weights. Gains are positive, so
    /// a reported weight is the preference as the choices act on it, as in the paper; noise varies by family.</summary>
    public static readonly BehaviourFamily[] ThreeAttributeFamilies =
    [
        new() { Name = "choice_three_a", Kind = "weighted_choice", Attributes = 3, Entities = 60, Gain = 1 },
        new() { Name = "choice_three_b", Kind = "weighted_choice", Attributes = 3, Entities = 60, Gain = 1, Noise = 0.03 },
        new() { Name = "choice_three_c", Kind = "weighted_choice", Attributes = 3, Entities = 60, Gain = 1, Noise = 0.06 },
        new() { Name = "choice_three_d", Kind = "weighted_choice", Attributes = 3, Entities = 60, Gain = 1, Noise = 0.1 },
    ];

    /// <summary>Lotteries only: 4 families of 60 entities, each entity's latent its risk attitude (positive gain: a higher
    /// latent takes the gamble more often), at prize probabilities 0.3–0.7.</summary>
    public static readonly BehaviourFamily[] LotteryFamilies =
    [
        new() { Name = "gamble_a", Kind = "lottery", Entities = 60, Gain = 1, Probability = 0.5 },
        new() { Name = "gamble_b", Kind = "lottery", Entities = 60, Gain = 1, Probability = 0.3, Noise = 0.05 },
        new() { Name = "gamble_c", Kind = "lottery", Entities = 60, Gain = 0.7, Probability = 0.7, Noise = 0.1 },
        new() { Name = "gamble_d", Kind = "lottery", Entities = 60, Gain = 0.7, Probability = 0.5, Noise = 0.05 },
    ];
}
