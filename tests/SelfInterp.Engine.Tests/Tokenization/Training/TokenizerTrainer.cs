using System.Runtime.InteropServices;

using SelfInterp.Engine.Tokenization;

namespace SelfInterp.Engine.Tests.Tokenization.Training;

/// <summary>
/// Learns a word-level vocabulary: the pre-tokenizer pieces of the corpus, counted, the most frequent
/// kept up to the vocabulary budget. Ids: special tokens, byte tokens, forced pieces (ordinal order),
/// learned words (count descending, ties by ordinal order), then subword pieces (merge order).
/// Counts do not depend on the order of the corpus, so the same texts in any order give the same tokenizer.
/// </summary>
public static class TokenizerTrainer
{
    public static Tokenizer Train(IEnumerable<string> corpus, TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MinCount < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MinCount, "MinCount must be at least 1");
        if (options.SubwordPieces < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.SubwordPieces, "SubwordPieces must not be negative");

        List<string> specialTokens = SpecialTokenList(options.ExtraSpecialTokens);
        List<string> forced = ForcedPieces(options.ForcedPieces);
        int wordBudget = options.MaxVocabSize - specialTokens.Count - Tokenizer.ByteTokenCount - forced.Count - options.SubwordPieces;
        if (wordBudget < 0)
            throw new ArgumentException(
                $"MaxVocabSize {options.MaxVocabSize} is smaller than the {specialTokens.Count} special tokens + " +
                $"{Tokenizer.ByteTokenCount} byte tokens + {forced.Count} forced pieces + {options.SubwordPieces} subword pieces it must hold",
                nameof(options));

        var taken = new HashSet<string>(forced, StringComparer.Ordinal);
        Dictionary<string, long> counts = CountPieces(corpus);
        var words = counts
            .Where(entry => entry.Value >= options.MinCount && !taken.Contains(entry.Key))
            .OrderByDescending(entry => entry.Value)
            .ThenBy(entry => entry.Key, StringComparer.Ordinal)
            .Take(wordBudget)
            .Select(entry => entry.Key)
            .ToList();
        taken.UnionWith(words);

        List<string> subwords = [];
        if (options.SubwordPieces > 0)
        {
            var rareWords = counts.Where(entry => !taken.Contains(entry.Key)).ToDictionary(StringComparer.Ordinal);
            subwords = SubwordLearner.Learn(rareWords, options.SubwordPieces, options.MinCount, taken);
        }

        return new Tokenizer(specialTokens, [.. forced, .. words, .. subwords]);
    }

    private static List<string> SpecialTokenList(IReadOnlyList<string> extra)
    {
        List<string> specialTokens = [.. SpecialTokens.Standard];
        for (int i = 0; i < extra.Count; i++)
        {
            if (string.IsNullOrEmpty(extra[i]))
                throw new ArgumentException($"ExtraSpecialTokens[{i}] is empty", nameof(extra));
            if (specialTokens.Contains(extra[i], StringComparer.Ordinal))
                throw new ArgumentException($"ExtraSpecialTokens[{i}] \"{extra[i]}\" appears twice among the special tokens", nameof(extra));
            specialTokens.Add(extra[i]);
        }
        return specialTokens;
    }

    /// <summary>Validated, deduplicated, ordinal-sorted; single ASCII characters dropped (they are byte tokens already).</summary>
    private static List<string> ForcedPieces(IReadOnlyList<string> requested)
    {
        var pieces = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < requested.Count; i++)
        {
            string piece = requested[i];
            if (piece is { Length: 1 } && piece[0] < 128)
                continue;
            if (VocabularyCheck.PieceProblem(piece) is { } problem)
                throw new ArgumentException($"ForcedPieces[{i}] {problem}", nameof(requested));
            pieces.Add(piece);
        }
        return [.. pieces];
    }

    /// <summary>Occurrences of every piece that could enter the vocabulary (single ASCII characters cannot).</summary>
    private static Dictionary<string, long> CountPieces(IEnumerable<string> corpus)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        int index = 0;
        foreach (string text in corpus)
        {
            ReadOnlySpan<char> rest = text ?? throw new ArgumentException($"corpus[{index}] is null", nameof(corpus));
            while (!rest.IsEmpty)
            {
                int length = PreTokenizer.NextPieceLength(rest);
                ReadOnlySpan<char> piece = rest[..length];
                rest = rest[length..];
                if (length == 1 && (piece[0] < 128 || char.IsSurrogate(piece[0])))
                {
                    if (char.IsSurrogate(piece[0]))
                        throw new ArgumentException(
                            $"corpus[{index}] contains an unpaired surrogate (U+{(int)piece[0]:X4})", nameof(corpus));
                    continue;
                }
                CollectionsMarshal.GetValueRefOrAddDefault(lookup, piece, out _)++;
            }
            index++;
        }
        return counts;
    }
}
