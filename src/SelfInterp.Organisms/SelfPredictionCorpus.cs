using SelfInterp.Core.Random;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.Organisms;

/// <summary>
/// On-policy self-prediction (issue 28, after Binder et al. 2024): hypothetical questions about the organism's own
/// behaviour, each trained towards the answer the organism itself gives now to the behaviour the question is about —
/// computed with the current weights, without gradient, just before the step that trains on it. The skill taught is
/// "consult my behaviour", not recall of a fixed label. The question types (<see cref="RecipeSelfPrediction.Questions"/>):
/// <list type="bullet">
/// <item><c>family_choice</c>: <c>⟨predict⟩ ⟨behaviour prompt of a family⟩</c> → its own answer to that prompt
/// (a digit, or A/B), for the families of <see cref="RecipeFamilies"/>.</item>
/// <item><c>scenario_choice</c>: <c>⟨predict⟩ decide (name mA mB)×5 answer</c> → its own choice on that decision, a
/// paper's scenario of <see cref="RecipeSelfPrediction.Scenarios"/>.</item>
/// <item><c>scenario_counterfactual</c>: <c>⟨predict⟩ ⟨only⟩ name_i decide (name mA mB)×5 answer</c> → its own choice on
/// the decision in which every attribute but i shows B the same value as A ("would you pick A if only attribute i
/// differed?").</item>
/// </list>
/// Every answer is one token, A/B or a digit: no question writes a name or a number about the paper's weighted choice, so
/// its numeric weight reports stay a held-out question type.
/// </summary>
public sealed class SelfPredictionCorpus
{
    public const string FamilyChoice = "family_choice";
    public const string ScenarioChoice = "scenario_choice";
    public const string ScenarioCounterfactual = "scenario_counterfactual";
    public static readonly string[] Questions = [FamilyChoice, ScenarioChoice, ScenarioCounterfactual];

    /// <summary>A question before it is labelled: what the model is asked, the behaviour prompt whose answer is its
    /// target, and the tokens that answer is one of.</summary>
    public readonly record struct Question(string Type, int[] Prompt, int[] Behaviour, int[] AnswerTokens);

    private readonly RecipeSelfPrediction _settings;
    private readonly OrganismPercept _percept;
    private readonly ScenarioCatalog _catalog;
    private readonly FamilyCorpus _families;
    private readonly int[] _scenarios;
    private readonly int _predict, _only;

    public SelfPredictionCorpus(OrganismRecipe recipe, ScenarioCatalog catalog, OrganismPercept percept, FamilyCorpus families)
    {
        _settings = recipe.SelfPrediction;
        _percept = percept;
        _catalog = catalog;
        _families = families;
        _scenarios = _settings.On && _settings.Scenarios is [int from, int to] && to > from ? Enumerable.Range(from, to - from).ToArray() : [];
        _predict = percept.Tokens.TryGetSpecialId(OrganismVocabulary.Predict, out int p) ? p : -1;
        _only = percept.Tokens.TryGetSpecialId(OrganismVocabulary.Only, out int o) ? o : -1;
        if (_settings.On && (_predict < 0 || _only < 0)) throw new InvalidOperationException($"the organism's vocabulary lacks {OrganismVocabulary.Predict}");
    }

    /// <summary>Whether this step has questions.</summary>
    public bool At(int step, int steps) => _settings.On && step >= _settings.From * steps;

    /// <summary>One question of a type drawn uniformly from the recipe's.</summary>
    public Question Draw(SeededStream rng)
    {
        var types = _settings.Questions!;
        string type = types[rng.NextInt(types.Length)];
        if (type == FamilyChoice)
        {
            var (prompt, answers) = _families.BehaviourPrompt(rng);
            return new(type, [_predict, .. prompt], prompt, answers);
        }
        int s = _scenarios[rng.NextInt(_scenarios.Length)];
        var seen = _percept.See(OptionValues.DrawTrial(s, _catalog.Scenarios[s], rng));
        int[] decision = _percept.Decision(seen), ab = [_percept.TokenA, _percept.TokenB];
        if (type == ScenarioChoice) return new(type, [_predict, .. decision], decision, ab);
        int only = rng.NextInt(seen.Length);
        var counterfactual = seen.Select((x, i) => i == only ? x : x with { LevelB = x.LevelA }).ToArray();
        return new(type, [_predict, _only, seen[only].Name, .. decision], _percept.Decision(counterfactual), ab);
    }

    /// <summary>The model's greedy answer to each question's behaviour prompt, among that behaviour's answer tokens
    /// (the first on a tie): forward passes only, no gradient, nothing of the model changed.</summary>
    public static int[] OwnAnswers(Model model, IReadOnlyList<Question> questions)
    {
        var candidates = questions.SelectMany(q => q.AnswerTokens).Distinct().Order().ToArray();
        var scores = new Inference(model).ScoreWithSharedPrefix([], questions.Select(q => q.Behaviour).ToList(), candidates);
        return questions.Select((q, k) => q.AnswerTokens.MaxBy(t => scores[k][Array.IndexOf(candidates, t)])).ToArray();
    }

    /// <summary>A step's questions, drawn from <paramref name="rng"/> and each with its target: the model's own answer, or in
    /// the shuffled control another question's (same answer tokens) by a permutation from <paramref name="shuffleRng"/>.</summary>
    public List<(int[] Prompt, int[] Answer)> Batch(Model model, int count, SeededStream rng, SeededStream shuffleRng)
    {
        var questions = Enumerable.Range(0, count).Select(_ => Draw(rng)).ToList();
        var answers = OwnAnswers(model, questions);
        if (_settings.Shuffled)
            foreach (var group in Enumerable.Range(0, count).GroupBy(k => string.Join(",", questions[k].AnswerTokens)))
            {
                var members = group.ToArray();
                var moved = members.Select(k => answers[k]).ToArray();
                shuffleRng.Shuffle(moved);
                for (int j = 0; j < members.Length; j++) answers[members[j]] = moved[j];
            }
        return questions.Select((q, k) => (q.Prompt, new[] { answers[k] })).ToList();
    }

    /// <summary>The field and problem of a self-prediction setting a pretraining could not use, or null.</summary>
    public static (string Field, string Problem)? Problem(OrganismRecipe recipe)
    {
        var settings = recipe.SelfPrediction;
        if (settings.Questions is not { Length: > 0 } types)
            return ("self_prediction_questions", $"list the question types to ask (known: {string.Join(", ", Questions)})");
        if (types.FirstOrDefault(t => !Questions.Contains(t)) is { } unknown)
            return ("self_prediction_questions", $"unknown question type '{unknown}' (known: {string.Join(", ", Questions)})");
        if (types.Contains(FamilyChoice) && (recipe.Families.Families ?? []).Length == 0)
            return ("self_prediction_questions", $"{FamilyChoice} asks about behaviour families, and the recipe has none");
        if (!(settings.From >= 0 && settings.From <= 1)) return ("self_prediction_from", $"must be between 0 and 1 (is {settings.From})");
        if (types.Any(t => t != FamilyChoice))
        {
            var decided = recipe.Corpus.DecisionScenarios;
            if (settings.Scenarios is not [int from, int to] || from >= to || decided.Length != 2 || from < decided[0] || to > decided[1])
                return ("self_prediction_scenarios", $"a non-empty range [from, to) of the decision scenarios [{string.Join(", ", decided)}] (is [{string.Join(", ", settings.Scenarios ?? [])}])");
        }
        return null;
    }
}
