namespace SelfInterp.Engine.Tokenization;

/// <summary>
/// Splits text into the pieces a vocabulary is made of. The rules, applied left to right:
/// a run of letters and underscores is one piece (so a snake_case name such as <c>natural_light</c>
/// stays whole), and a single space directly before such a run is attached to it (<c>" price"</c>);
/// any other run of spaces is one piece (when a word follows, its last space goes to the word);
/// every ASCII digit is its own piece; every other code point (punctuation, tab, newline, emoji)
/// is its own piece. The pieces of a text, concatenated, are exactly the text.
/// </summary>
public static class PreTokenizer
{
    /// <summary>Length in chars of the first piece of a non-empty <paramref name="text"/>.</summary>
    public static int NextPieceLength(ReadOnlySpan<char> text)
    {
        char first = text[0];
        if (IsWordChar(first))
            return WordRunLength(text);
        if (first == ' ')
        {
            int spaces = 1;
            while (spaces < text.Length && text[spaces] == ' ')
                spaces++;
            bool wordFollows = spaces < text.Length && IsWordChar(text[spaces]);
            if (!wordFollows)
                return spaces;
            // The last space belongs to the word; the spaces before it form a piece of their own.
            return spaces > 1 ? spaces - 1 : 1 + WordRunLength(text[1..]);
        }
        if (char.IsHighSurrogate(first) && text.Length > 1 && char.IsLowSurrogate(text[1]))
            return 2;
        return 1;
    }

    /// <summary>The pieces of <paramref name="text"/>, in order (allocates; for inspection and tests).</summary>
    public static string[] Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<string>();
        while (!text.IsEmpty)
        {
            int length = NextPieceLength(text);
            pieces.Add(text[..length].ToString());
            text = text[length..];
        }
        return pieces.ToArray();
    }

    /// <summary>True when <paramref name="piece"/> is non-empty and the pre-tokenizer keeps it as one piece.</summary>
    public static bool IsSinglePiece(ReadOnlySpan<char> piece) =>
        !piece.IsEmpty && NextPieceLength(piece) == piece.Length;

    private static bool IsWordChar(char c) =>
        c < 128 ? char.IsAsciiLetter(c) || c == '_' : char.IsLetter(c);

    private static int WordRunLength(ReadOnlySpan<char> text)
    {
        int length = 0;
        while (length < text.Length && IsWordChar(text[length]))
            length++;
        return length;
    }
}
