using SelfInterp.Core.Random;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Organisms;

/// <summary>
/// The behaviour families of a recipe (<see cref="RecipeFamilies"/>) in an organism's vocabulary: their behaviour
/// examples, and the report examples of the supervised ones — the paper's report format (<c>report e×5 (e mA mB)×5</c>
/// → <c>{ e : ±ddd , … }</c>) listing five different entities of one family with their latents (with
/// <see cref="RecipeFamilies.PermuteReportLabels"/>, each entity is reported with another entity's latent, a fixed
/// permutation per family: the control). Unsupervised families are never reported, keys or values.
/// </summary>
public sealed class FamilyCorpus
{
    private readonly OrganismPercept _percept;
    private readonly BehaviourFamily[] _families;
    private readonly FamilyTokens[] _tokens;
    private readonly int[][] _latents, _labels;
    private readonly int _supervised;

    public FamilyCorpus(OrganismRecipe recipe, OrganismPercept percept)
    {
        _percept = percept;
        _families = recipe.Families.Families ?? [];
        _tokens = _families.Select(f => FamilyTokens.Of(f, percept)).ToArray();
        _latents = _families.Select(f => f.Latents(recipe.Seed)).ToArray();
        _labels = _families.Select((f, i) => recipe.Families.PermuteReportLabels ? Permuted(_latents[i], SeededStream.Derive(recipe.Seed, "family_labels:" + f.Name)) : _latents[i]).ToArray();
        _supervised = Math.Min(recipe.Families.Supervised, _families.Length);
    }

    public bool HasBehaviours => _families.Length > 0;
    public bool HasReports => _supervised > 0;

    /// <summary>The first <see cref="RecipeFamilies.Supervised"/> families: the ones reported.</summary>
    public IEnumerable<BehaviourFamily> Supervised => _families.Take(_supervised);
    public IEnumerable<BehaviourFamily> Unsupervised => _families.Skip(_supervised);

    /// <summary>Every entity name token of every family.</summary>
    public IEnumerable<int> EntityTokens => _tokens.SelectMany(t => t.Entities);

    /// <summary>What a supervised family's reports give each of its entity tokens (its latent, or with permuted labels another's).</summary>
    public IReadOnlyDictionary<int, int> ReportLabels =>
        Enumerable.Range(0, _supervised).SelectMany(f => _tokens[f].Entities.Select((token, e) => (token, _labels[f][e]))).ToDictionary(x => x.token, x => x.Item2);

    /// <summary>The entity tokens and latents of a family, by name.</summary>
    public (int[] Tokens, int[] Latents) Entities(string family)
    {
        int i = Array.FindIndex(_families, f => f.Name == family);
        return (_tokens[i].Entities, _latents[i]);
    }

    /// <summary>A behaviour example of a family drawn uniformly.</summary>
    public (int[] Prompt, int[] Answer) Behaviour(SeededStream rng)
    {
        int f = rng.NextInt(_families.Length);
        return _families[f].Example(_percept, _tokens[f], _latents[f], rng);
    }

    /// <summary>A behaviour prompt of a family drawn uniformly, and the tokens its answer is one of (its teacher's answer
    /// left out: on-policy self-prediction asks the organism's own).</summary>
    public (int[] Prompt, int[] AnswerTokens) BehaviourPrompt(SeededStream rng)
    {
        int f = rng.NextInt(_families.Length);
        return (_families[f].Example(_percept, _tokens[f], _latents[f], rng).Prompt, _families[f].AnswerTokens(_percept));
    }

    /// <summary>A report of five different entities of a supervised family drawn uniformly, every value trained.</summary>
    public (int[] Prompt, int[] Answer, int[] Targets) Report(SeededStream rng)
    {
        int f = rng.NextInt(_supervised);
        var (prompt, picked) = ReportPrompt(f, rng);
        var answer = _percept.ReportAnswer(picked.Select(e => _tokens[f].Entities[e]).ToArray(), picked.Select(e => _labels[f][e]).ToArray());
        return (prompt, answer, _percept.ReportAnswerTargets(answer, Enumerable.Repeat(true, picked.Length).ToArray()));
    }

    /// <summary>The index of a family of the recipe, by name, or -1.</summary>
    public int IndexOf(string family) => Array.FindIndex(_families, f => f.Name == family);

    public IReadOnlyList<BehaviourFamily> Families => _families;
    public bool IsSupervised(int f) => f < _supervised;
    public FamilyTokens TokensOf(int f) => _tokens[f];

    /// <summary>A report prompt of five different entities of family <paramref name="f"/> (any family: the held-out
    /// family evaluation asks one of a family pretraining never reports), each shown with random magnitudes, and the
    /// entities' indices in the order listed.</summary>
    public (int[] Prompt, int[] Entities) ReportPrompt(int f, SeededStream rng)
    {
        int n = Scenario.AttributeCount;
        var picked = Enumerable.Range(0, _families[f].Entities).ToArray();
        for (int k = 0; k < n; k++)
        {
            int j = k + rng.NextInt(picked.Length - k);
            (picked[k], picked[j]) = (picked[j], picked[k]);
        }
        var names = picked.Take(n).Select(e => _tokens[f].Entities[e]).ToArray();
        var seen = names.Select(e => new OrganismPercept.Seen(e, rng.NextInt(_percept.Levels), rng.NextInt(_percept.Levels))).ToArray();
        return (_percept.Report(names, seen), picked[..n]);
    }

    private static int[] Permuted(int[] values, SeededStream rng)
    {
        var order = Enumerable.Range(0, values.Length).ToArray();
        rng.Shuffle(order);
        return order.Select(i => values[i]).ToArray();
    }
}
