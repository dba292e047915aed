using SelfInterp.Engine.Tokenization;

namespace SelfInterp.Engine.Tests.Tokenization.Training;

/// <summary>
/// Learns subword pieces by byte-pair-encoding merges over the words that did not make the word
/// vocabulary: starting from code points, the most frequent adjacent pair (weighted by word count;
/// ties by ordinal order of left, then right symbol) is merged, again and again, and each new merged
/// symbol becomes a piece. A substring of a pre-tokenizer piece is itself a piece, so the results are
/// ordinary vocabulary pieces, which the encoder's longest match uses for unknown words.
/// </summary>
internal static class SubwordLearner
{
    /// <param name="rareWords">Pieces outside the vocabulary, with their corpus counts.</param>
    /// <param name="budget">Most pieces to learn.</param>
    /// <param name="minCount">A pair occurring fewer times is not merged.</param>
    /// <param name="taken">Pieces already in the vocabulary; merges that make one of these add nothing.</param>
    public static List<string> Learn(IReadOnlyDictionary<string, long> rareWords, int budget, int minCount, IReadOnlySet<string> taken)
    {
        var words = rareWords
            .Select(entry => (Symbols: CodePoints(entry.Key), Count: entry.Value))
            .Where(word => word.Symbols.Count > 1)
            .ToList();
        var learned = new List<string>();
        var learnedSet = new HashSet<string>(StringComparer.Ordinal);
        while (learned.Count < budget)
        {
            if (MostFrequentPair(words) is not { } best || best.Count < minCount)
                break;
            string merged = best.Left + best.Right;
            foreach (var word in words)
                Merge(word.Symbols, best.Left, best.Right, merged);
            if (!taken.Contains(merged) && learnedSet.Add(merged))
                learned.Add(merged);
        }
        return learned;
    }

    private static (string Left, string Right, long Count)? MostFrequentPair(List<(List<string> Symbols, long Count)> words)
    {
        var counts = new Dictionary<(string, string), long>();
        foreach (var (symbols, count) in words)
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                var pair = (symbols[i], symbols[i + 1]);
                counts[pair] = counts.GetValueOrDefault(pair) + count;
            }

        (string Left, string Right, long Count)? best = null;
        foreach (var ((left, right), count) in counts)
        {
            if (best is not { } b || IsBefore((left, right, count), b))
                best = (left, right, count);
        }
        return best;
    }

    /// <summary>Higher count first; equal counts in ordinal order of the left, then the right symbol.</summary>
    private static bool IsBefore((string Left, string Right, long Count) a, (string Left, string Right, long Count) b)
    {
        if (a.Count != b.Count)
            return a.Count > b.Count;
        int byLeft = string.CompareOrdinal(a.Left, b.Left);
        return byLeft != 0 ? byLeft < 0 : string.CompareOrdinal(a.Right, b.Right) < 0;
    }

    /// <summary>Replaces each non-overlapping occurrence of (left, right), scanning left to right.</summary>
    private static void Merge(List<string> symbols, string left, string right, string merged)
    {
        int write = 0;
        for (int read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[write++] = merged;
                read++;
            }
            else
            {
                symbols[write++] = symbols[read];
            }
        }
        symbols.RemoveRange(write, symbols.Count - write);
    }

    private static List<string> CodePoints(string word)
    {
        var symbols = new List<string>(word.Length);
        for (int i = 0; i < word.Length; i++)
        {
            int length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            symbols.Add(word.Substring(i, length));
            i += length - 1;
        }
        return symbols;
    }
}
