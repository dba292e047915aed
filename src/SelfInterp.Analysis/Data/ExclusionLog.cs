namespace SelfInterp.Analysis.Data;

/// <summary>
/// Rows left out of the analysis, counted per file and reason with a few file:line examples, so that
/// nothing is dropped silently and the summary can say exactly where to look.
/// </summary>
public sealed class ExclusionLog
{
    private const int ExamplesKept = 3;
    private readonly List<Entry> _entries = [];

    private sealed class Entry(string file, string reason)
    {
        public string File { get; } = file;
        public string Reason { get; } = reason;
        public int Count { get; set; }
        public List<string> Examples { get; } = [];
    }

    public int Total { get; private set; }

    public void Add(string path, int line, string reason, string detail)
    {
        var file = Path.GetFileName(path);
        var entry = _entries.Find(e => e.File == file && e.Reason == reason);
        if (entry is null) { entry = new Entry(file, reason); _entries.Add(entry); }
        entry.Count++;
        Total++;
        if (entry.Examples.Count < ExamplesKept) entry.Examples.Add($"{file}:{line} ({detail})");
    }

    /// <summary>One line per file and reason, e.g. "x.csv: 2 rows excluded: selection is neither A nor B; e.g. x.csv:7 ('C'), ...".</summary>
    public IReadOnlyList<string> Warnings() =>
        _entries.Select(e =>
            $"{e.File}: {e.Count} row{(e.Count == 1 ? "" : "s")} excluded: {e.Reason}; e.g. {string.Join(", ", e.Examples)}")
        .ToList();
}
