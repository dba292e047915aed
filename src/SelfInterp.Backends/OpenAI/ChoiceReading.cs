namespace SelfInterp.Backends.OpenAI;

/// <summary>Reads a decision from a one-token reply: the letter, and P(A) from the log probabilities beside it.</summary>
public static class ChoiceReading
{
    /// <summary>'A' or 'B' from the reply's first non-space character; '?' for anything else.</summary>
    public static char Selection(string? reply)
    {
        foreach (char c in reply ?? "")
        {
            if (char.IsWhiteSpace(c)) continue;
            return c is 'A' or 'B' ? c : '?';
        }
        return '?';
    }

    /// <summary>
    /// P(A) = softmax over the log probabilities of the tokens "A" and "B" (spaces around a token ignored; the
    /// most likely spelling of each letter counts). Null when either letter is missing from the alternatives:
    /// without both, the ratio is unknown.
    /// </summary>
    public static double? ProbabilityA(IEnumerable<(string Token, double LogProbability)> alternatives)
    {
        double? a = null, b = null;
        foreach (var (token, lp) in alternatives)
        {
            if (double.IsNaN(lp)) continue;
            switch (token.Trim())
            {
                case "A": a = a is null ? lp : Math.Max(a.Value, lp); break;
                case "B": b = b is null ? lp : Math.Max(b.Value, lp); break;
            }
        }
        if (a is null || b is null) return null;
        double m = Math.Max(a.Value, b.Value);
        double ea = Math.Exp(a.Value - m), eb = Math.Exp(b.Value - m);
        return ea / (ea + eb);
    }
}
