using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Csv;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// One report file (<c>explaining_model,version,scenario,report_attr1..5,...</c>) reduced to the mean report
/// per scenario × attribute. A row with an empty report field is a bad report: our pipeline writes an
/// unparseable reply that way (PROTOCOL.md: a reply that is not a JSON object with exactly the five
/// attribute names). Bad reports are counted and left out; other unusable rows (non-numeric values,
/// unknown scenarios) are counted in the exclusion log with their line. The published files leave a bad report
/// out altogether, so a scenario may have fewer reports or none, and a condition whose model never answered
/// validly is a header line only: an empty set, which the statistics report as "no valid reports". An empty file
/// (nothing, or only blank lines: the authors' Qwen replication has one) is read the same way, with a warning.
/// A report value outside the scale the model was asked on (−100..100) is a bad report too, logged with its line:
/// the model did not answer the question, and one such value would move a whole condition's slope. A row repeating
/// an earlier one is counted once (<see cref="DuplicateRows"/>).
/// </summary>
public sealed class ReportSet
{
    public static readonly string[] ReportColumns = ["report_attr1", "report_attr2", "report_attr3", "report_attr4", "report_attr5"];

    /// <summary>Mean report per scenario (five attributes), for scenarios with at least one good report.</summary>
    public SortedDictionary<int, double[]> MeanReports { get; } = new();
    /// <summary>Every scenario the file names, with or without a good report.</summary>
    public SortedSet<int> Scenarios { get; } = [];
    public int BadReports { get; private set; }
    public int ExcludedRows { get; private set; }

    /// <summary>Per scenario: the lines of its rows, and how many of them were bad reports or already excluded.</summary>
    private readonly Dictionary<int, (List<int> Lines, int Bad, int Excluded)> _rows = [];

    public static ReportSet Read(string path, ScenarioRanges scenarios, ExclusionLog log)
    {
        if (File.Exists(path) && string.IsNullOrWhiteSpace(File.ReadAllText(path)))
        {
            log.Note(path, "the file is empty (no header, no rows): this condition has no reports");
            return new ReportSet();
        }
        var table = CsvTable.Read(path);
        table.RequireColumns(["scenario", .. ReportColumns]);
        int scenarioColumn = table.Column("scenario");
        var columns = ReportColumns.Select(table.Column).ToArray();
        var set = new ReportSet();
        var counts = new Dictionary<int, int>();
        Span<double> values = stackalloc double[5];
        var copies = new DuplicateRows(log);

        foreach (var row in table.Rows)
        {
            if (copies.IsCopy(table, row)) { set.ExcludedRows++; continue; }
            if (!RowFields.TryScenario(table, row, scenarioColumn, scenarios, log, out int id)) { set.ExcludedRows++; continue; }
            set.Scenarios.Add(id);
            set.Note(id, row.Line);
            if (columns.Any(c => string.IsNullOrWhiteSpace(row[c]))) { set.BadReports++; set.Note(id, bad: 1); continue; }
            int bad = Array.FindIndex(columns, c => !RowFields.TryNumber(row[c], out _));
            if (bad >= 0)
            {
                log.Add(path, row.Line, "a report value is not a number", $"{ReportColumns[bad]} '{row[columns[bad]]}'");
                set.ExcludedRows++;
                set.Note(id, excluded: 1);
                continue;
            }
            for (int i = 0; i < 5; i++) RowFields.TryNumber(row[columns[i]], out values[i]);
            int outside = -1;
            for (int i = 0; i < 5 && outside < 0; i++) if (!ReportParser.OnScale(values[i])) outside = i;
            if (outside >= 0)
            {
                log.Add(path, row.Line, "a report value is outside the scale asked for, −100..100 (a bad report)", $"{ReportColumns[outside]} '{row[columns[outside]]}'");
                set.BadReports++;
                set.Note(id, bad: 1);
                continue;
            }

            if (!set.MeanReports.TryGetValue(id, out var sum)) set.MeanReports[id] = sum = new double[5];
            for (int i = 0; i < 5; i++) sum[i] += values[i];
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        foreach (var (id, sum) in set.MeanReports)
            for (int i = 0; i < 5; i++) sum[i] /= counts[id];
        return set;
    }

    private void Note(int scenario, int line = 0, int bad = 0, int excluded = 0)
    {
        var (lines, b, e) = _rows.TryGetValue(scenario, out var r) ? r : ([], 0, 0);
        if (line > 0) lines.Add(line);
        _rows[scenario] = (lines, b + bad, e + excluded);
    }

    /// <summary>
    /// Leaves out every row on the scenarios <paramref name="leaveOut"/> names, as if the file had not held them: each
    /// logged with its line, and counted among the excluded rows (no longer among the bad reports).
    /// </summary>
    public void LeaveOut(Func<int, bool> leaveOut, string path, string reason, Func<int, string> key, ExclusionLog log)
    {
        foreach (var id in Scenarios.Where(leaveOut).ToList())
        {
            var (lines, bad, excluded) = _rows[id];
            foreach (var line in lines) log.Add(path, line, reason, $"scenario {key(id)}");
            MeanReports.Remove(id);
            Scenarios.Remove(id);
            BadReports -= bad;
            ExcludedRows += lines.Count - excluded;
        }
    }
}
