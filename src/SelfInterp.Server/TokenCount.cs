using System.Text.RegularExpressions;

namespace SelfInterp.Server;

/// <summary>
/// Usage figures for the OpenAI-shaped answers. The backends do not expose a tokenizer, so a token here is a
/// word or a punctuation mark: an approximation of the model's own count, stated as such in the server's docs.
/// </summary>
public static partial class TokenCount
{
    [GeneratedRegex(@"\w+|[^\w\s]")]
    private static partial Regex Piece();

    public static int Approximate(IEnumerable<string> texts) => texts.Sum(t => Piece().Count(t));
}
