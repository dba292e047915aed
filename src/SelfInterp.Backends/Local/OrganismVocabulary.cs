using SelfInterp.Core.Catalog;
using SelfInterp.Engine.Tokenization;

namespace SelfInterp.Backends.Local;

/// <summary>
/// The organism's tokens: the standard specials, three task markers, one token per magnitude level, the 256
/// byte tokens (digits, letters, JSON punctuation), and one token per attribute name of the catalog it was
/// made for. Attribute names are unique across the shipped catalog, so a scenario's preferences can live in
/// the embeddings of its five name tokens.
/// </summary>
public static class OrganismVocabulary
{
    public const string Decide = "<|decide|>";
    public const string Report = "<|report|>";
    public const string Answer = "<|answer|>";

    public static string Magnitude(int level) => $"<|m{level}|>";

    public static Tokenizer Create(ScenarioCatalog catalog, int levels)
    {
        var specials = new List<string>(SpecialTokens.Standard) { Decide, Report, Answer };
        for (int m = 0; m < levels; m++) specials.Add(Magnitude(m));
        var names = catalog.Scenarios.SelectMany(s => s.Attributes.Select(a => a.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        return new Tokenizer(specials, names);
    }
}
