namespace SelfInterp.Analysis.Data;

/// <summary>
/// Rows left out of the analysis, counted per file and reason with a few file:line examples, so that
/// nothing is dropped silently and the summary can say exactly where to look. Files are read in parallel,
/// so adding is locked; each file is read by one thread, so its examples are its first lines, and the
/// warnings are listed by file and reason, whatever order the files finished in.
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

    private readonly List<string> _notes = [];

    /// <summary>A warning about a whole file (an empty one, for instance), listed after the rows' warnings.</summary>
    public void Note(string path, string text)
    {
        lock (_entries) _notes.Add($"{Path.GetFileName(path)}: {text}");
    }

    public void Add(string path, int line, string reason, string detail)
    {
        lock (_entries) AddLocked(Path.GetFileName(path), line, reason, detail);
    }

    private void AddLocked(string file, int line, string reason, string detail)
    {
        var entry = _entries.Find(e => e.File == file && e.Reason == reason);
        if (entry is null) { entry = new Entry(file, reason); _entries.Add(entry); }
        entry.Count++;
        if (entry.Examples.Count < ExamplesKept) entry.Examples.Add($"{file}:{line} ({detail})");
    }

    /// <summary>One line per file and reason, e.g. "x.csv: 2 rows excluded: selection is neither A nor B; e.g. x.csv:7 ('C'), ...".</summary>
    public IReadOnlyList<string> Warnings() =>
        _entries.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Reason, StringComparer.Ordinal).Select(e =>
            $"{e.File}: {e.Count} row{(e.Count == 1 ? "" : "s")} excluded: {e.Reason}; e.g. {string.Join(", ", e.Examples)}")
        .Concat(_notes.Order(StringComparer.Ordinal))
        .ToList();
}
