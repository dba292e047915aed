using SelfInterp.Preferences.Catalog;
using SelfInterp.Engine.Tokenization;

namespace SelfInterp.Organisms;

/// <summary>
/// The organism's tokens: the standard specials, three task markers, one token per magnitude level of each
/// option, the 256
/// byte tokens (digits, letters, JSON punctuation), and one token per attribute name of the catalog it was
/// made for. Attribute names are unique across the shipped catalog, so a scenario's preferences can live in
/// the embeddings of its five name tokens.
/// </summary>
public static class OrganismVocabulary
{
    public const string Decide = "<|decide|>";
    public const string Report = "<|report|>";
    public const string Answer = "<|answer|>";
    /// <summary>Opens a hypothetical question about the organism's own answer (on-policy self-prediction).</summary>
    public const string Predict = "<|predict|>";
    /// <summary>"if only this attribute differed": the hypothetical of a decision with every other attribute equal.</summary>
    public const string Only = "<|only|>";

    /// <summary>The magnitude token of a value of option A or B: the two options' values are told apart by
    /// their token sets, as the text tells them apart by "Option A:" and "Option B:".</summary>
    public static string Magnitude(char option, int level) => $"<|{char.ToLowerInvariant(option)}{level}|>";

    /// <summary>A token stating an attribute's weight, -100..100: shown only in pretraining's curriculum.</summary>
    public static string StatedWeight(int weight) => $"<|w{weight}|>";

    /// <summary>The name of attribute i of synthetic pretraining scenario j (not a catalog attribute).</summary>
    public static string SyntheticName(int scenario, int attribute) => $"synthetic_{Letters(scenario)}_{Letters(attribute)}";

    /// <summary>A number written in letters (a = 0, b = 1, …, ba = 26): names must be single word pieces, without digits.</summary>
    public static string Letters(int n)
    {
        var s = "";
        do { s = (char)('a' + n % 26) + s; n /= 26; } while (n > 0);
        return s;
    }

    /// <param name="families">Behaviour families (the self-description recipes): a marker token each, after the other
    /// specials, and their entity names after every other name, so a vocabulary without them is as before.</param>
    /// <param name="selfPrediction">The hypothetical questions' markers, after every other special (so a vocabulary without
    /// them is as before).</param>
    public static Tokenizer Create(ScenarioCatalog catalog, int levels, bool statedWeights = false, int syntheticScenarios = 0,
        IReadOnlyList<BehaviourFamily>? families = null, bool selfPrediction = false)
    {
        var specials = new List<string>(SpecialTokens.Standard) { Decide, Report, Answer };
        foreach (char option in "AB")
            for (int m = 0; m < levels; m++) specials.Add(Magnitude(option, m));
        if (statedWeights)
            for (int w = -100; w <= 100; w++) specials.Add(StatedWeight(w));
        var names = catalog.Scenarios.SelectMany(s => s.Attributes.Select(a => a.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        for (int j = 0; j < syntheticScenarios; j++)
            for (int i = 0; i < Preferences.Scenarios.Scenario.AttributeCount; i++) names.Add(SyntheticName(j, i));
        foreach (var family in families ?? [])
        {
            specials.Add(family.Marker);
            for (int j = 0; j < family.Entities; j++)
                names.Add(family.EntityName(j));
        }
        if (selfPrediction) specials.AddRange([Predict, Only]);
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new Core.Runs.UsageException($"recipe: a behaviour family's entity name is also another name of the vocabulary: {names.GroupBy(x => x).First(g => g.Count() > 1).Key}");
        return new Tokenizer(specials, names);
    }
}
