namespace SelfInterp.Core.Runs;

/// <summary>
/// Refuses a key that is not among the known ones, naming the nearest known key: a misspelt option read as absent
/// would run on its default and give a number that looks right (issue 24).
/// </summary>
public static class KnownKeys
{
    /// <summary>Throws a <see cref="UsageException"/> for the first of <paramref name="given"/> not in <paramref name="known"/>.</summary>
    /// <param name="what">What the keys are, e.g. "--option … for the simulated backend".</param>
    public static void Check(IEnumerable<string> given, IReadOnlyCollection<string> known, string what)
    {
        foreach (var key in given)
        {
            if (known.Contains(key)) continue;
            var near = Nearest(key, known);
            throw new UsageException($"{what}: unknown key '{key}'" + (near is null ? "" : $" (did you mean '{near}'?)")
                + $"; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>The known key fewest edits away, if it is close enough to be a slip (a third of the key's length, at least 2).</summary>
    public static string? Nearest(string key, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            int d = EditDistance(key.ToLowerInvariant(), k.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (k, d);
        }
        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
