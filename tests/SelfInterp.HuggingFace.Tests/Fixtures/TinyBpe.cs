using System.Text.RegularExpressions;
using SelfInterp.Engine.HuggingFace;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>A byte-level BPE vocabulary learned from a text (the 256 byte tokens, then one token per merge, most
/// frequent pair first, ties by the pair's text), so the tests have a real tokenizer of a few hundred tokens.</summary>
public sealed record TinyBpe(IReadOnlyList<string> Tokens, IReadOnlyList<(string Left, string Right)> Merges)
{
    public static TinyBpe Train(string text, string pattern, int merges)
    {
        var tokens = Enumerable.Range(0, 256).Select(b => ByteLevel.CharFor((byte)b).ToString()).ToList();
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(text, pattern))
        {
            string w = ByteLevel.Encode(m.Value);
            words[w] = words.GetValueOrDefault(w) + 1;
        }
        var split = words.Select(kv => (Symbols: kv.Key.Select(c => c.ToString()).ToList(), Count: kv.Value)).ToList();
        var result = new List<(string, string)>();
        for (int step = 0; step < merges; step++)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (symbols, count) in split)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1 + " " + p.Key.Item2, StringComparer.Ordinal).First().Key;
            result.Add(best);
            tokens.Add(best.Item1 + best.Item2);
            foreach (var (symbols, _) in split)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                    {
                        symbols[i] = best.Item1 + best.Item2;
                        symbols.RemoveAt(i + 1);
                    }
        }
        return new TinyBpe(tokens, result);
    }
}
