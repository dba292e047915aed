namespace SelfInterp.Core.Runs;

/// <summary>
/// What a model id may be: one word, as inference servers and fine-tuning services name models. An id with a
/// space or a control character is a typing slip that fails only later, at the service, after work is done.
/// </summary>
public static class ModelIds
{
    /// <summary>Why <paramref name="id"/> is not a model id, or null.</summary>
    public static string? Problem(string id)
    {
        if (id.Length == 0) return "is empty";
        int bad = id.ToList().FindIndex(c => char.IsWhiteSpace(c) || char.IsControl(c));
        return bad < 0 ? null : $"holds a {(char.IsControl(id[bad]) ? "control character" : "space")} at position {bad + 1}";
    }

    /// <summary>The text with control characters as \uXXXX, so an error never writes them to the terminal.</summary>
    public static string Visible(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
