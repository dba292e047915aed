using System.Text;

namespace SelfInterp.Engine.Tokenization;

/// <summary>
/// The rules a vocabulary must keep for encoding to be unambiguous and exactly reversible;
/// shared by the constructor (in-memory vocabularies) and the file reader (which adds the file name).
/// </summary>
public static class VocabularyCheck
{
    public readonly record struct Problem(string Field, string Message);

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static Problem? FindProblem(IReadOnlyList<string> specialTokens, IReadOnlyList<string> pieces)
    {
        for (int i = 0; i < SpecialTokens.Standard.Count; i++)
        {
            if (i >= specialTokens.Count || specialTokens[i] != SpecialTokens.Standard[i])
                return new Problem($"specialTokens[{i}]",
                    $"must be \"{SpecialTokens.Standard[i]}\" (the standard special tokens come first, in order: {string.Join(", ", SpecialTokens.Standard)})");
        }
        var seenSpecials = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < specialTokens.Count; i++)
        {
            string special = specialTokens[i];
            if (string.IsNullOrEmpty(special))
                return new Problem($"specialTokens[{i}]", "is empty");
            if (!IsWellFormed(special))
                return new Problem($"specialTokens[{i}]", "is not well-formed UTF-16 (unpaired surrogate)");
            if (!seenSpecials.Add(special))
                return new Problem($"specialTokens[{i}]", $"\"{special}\" appears twice");
        }

        var seenPieces = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < pieces.Count; i++)
        {
            if (PieceProblem(pieces[i]) is { } message)
                return new Problem($"pieces[{i}]", message);
            if (!seenPieces.Add(pieces[i]))
                return new Problem($"pieces[{i}]", $"\"{pieces[i]}\" appears twice");
        }
        return null;
    }

    /// <summary>Why <paramref name="piece"/> cannot be a vocabulary piece, or null if it can.</summary>
    public static string? PieceProblem(string? piece)
    {
        if (string.IsNullOrEmpty(piece))
            return "is empty";
        if (piece.Length == 1 && piece[0] < 128)
            return $"\"{piece}\" is a single ASCII character, which is always its byte token";
        if (!IsWellFormed(piece))
            return "is not well-formed UTF-16 (unpaired surrogate)";
        if (!PreTokenizer.IsSinglePiece(piece))
            return $"\"{piece}\" is not a single pre-tokenizer piece (it splits into {string.Join(" | ", PreTokenizer.Split(piece).Select(p => $"\"{p}\""))})";
        return null;
    }

    private static bool IsWellFormed(string text)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
