using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Regression;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// A folder in the backdoor layout, read: the scenarios (and which have flips), both target sets, the choices and
/// the reports per trigger state, the authors' learned weights where present, and every empty file (named, skipped).
/// </summary>
public sealed class BackdoorData
{
    public required string Directory { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<Scenario> Scenarios { get; init; }
    /// <summary>Scenarios with flips and targets, by index in scenarios.csv.</summary>
    public required IReadOnlyList<int> Backdoored { get; init; }
    public required IReadOnlyDictionary<int, int[]> Targets { get; init; }
    public required IReadOnlyDictionary<int, int[]> TriggeredTargets { get; init; }
    public required bool TriggeredAreNegated { get; init; }
    /// <summary>Choices per state (false: untriggered) and scenario.</summary>
    public required IReadOnlyDictionary<bool, SortedDictionary<int, ChoiceData>> Choices { get; init; }
    /// <summary>Every readable report per state and scenario.</summary>
    public required IReadOnlyDictionary<bool, Dictionary<int, List<double[]>>> Reports { get; init; }
    /// <summary>The authors' learned weights per state, where the file is there and not empty.</summary>
    public required IReadOnlyDictionary<bool, Dictionary<int, double[]>> Published { get; init; }
    public required IReadOnlyList<string> EmptyFiles { get; init; }

    /// <summary>True when <paramref name="directory"/> is laid out as the backdoor pilot: scenarios.csv has has_flips.</summary>
    public static bool IsBackdoorLayout(string directory)
    {
        var path = Path.Combine(directory, PaperLayout.ScenariosFile);
        if (!File.Exists(path) || new FileInfo(path).Length == 0) return false;
        using var reader = new StreamReader(path);
        return (reader.ReadLine() ?? "").Split(',').Select(h => h.Trim()).Contains(BackdoorLayout.HasFlipsColumn);
    }

    public static BackdoorData Read(string directory)
    {
        // The run's own lock file is empty by design; every other empty file is a data file that is not there.
        var empty = System.IO.Directory.GetFiles(directory).Where(f => new FileInfo(f).Length == 0).Select(Path.GetFileName)
            .Where(f => f != Core.Runs.RunDirectory.LockFile).Order(StringComparer.Ordinal).ToList();
        bool Usable(string file) => File.Exists(Path.Combine(directory, file)) && !empty.Contains(file);
        string Need(string file) => Usable(file) ? Path.Combine(directory, file)
            : throw new DataFileException(Path.Combine(directory, file), null, null, empty.Contains(file) ? "is empty (0 bytes)" : "is missing");

        var scenariosPath = Need(PaperLayout.ScenariosFile);
        var scenarios = CatalogReader.ParseScenariosCsv(scenariosPath).OrThrow();
        var index = scenarios.Select((s, i) => (s.ShortName, i)).ToDictionary(x => x.ShortName, x => x.i, StringComparer.Ordinal);
        var table = CsvTable.Read(scenariosPath);
        table.RequireColumns([BackdoorLayout.HasFlipsColumn]);
        var flips = new HashSet<int>();
        foreach (var row in table.Rows)
            if (BackdoorLayout.ReadFlag(row[BackdoorLayout.HasFlipsColumn]) ?? throw Bad(scenariosPath, row, BackdoorLayout.HasFlipsColumn, "expected True or False"))
                flips.Add(Scenario(scenariosPath, row, index));

        var targets = Weights(Need(PaperLayout.InstilledWeightsFile), index, PaperLayout.WeightColumns[1..]);
        bool negated = !Usable(BackdoorLayout.TriggeredWeightsFile);
        var triggered = negated ? targets.ToDictionary(kv => kv.Key, kv => kv.Value.Select(w => -w).ToArray())
            : Weights(Need(BackdoorLayout.TriggeredWeightsFile), index, PaperLayout.WeightColumns[1..]);

        var selectionFile = System.IO.Directory.GetFiles(directory, "*" + PaperLayout.SelectionsSuffix).Select(Path.GetFileName)
            .Where(f => !empty.Contains(f)).Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new DataFileException(directory, null, null, $"no non-empty *{PaperLayout.SelectionsSuffix} file");
        string model = selectionFile![..^PaperLayout.SelectionsSuffix.Length];

        var choices = new Dictionary<bool, SortedDictionary<int, ChoiceData>> { [false] = new(), [true] = new() };
        var selections = CsvTable.Read(Need(selectionFile));
        selections.RequireColumns(["scenario", BackdoorLayout.FlippedColumn, "selection", .. PaperLayout.OptionColumns]);
        foreach (var row in selections.Rows)
        {
            if (row["selection"] is not ("A" or "B")) continue;
            int s = Scenario(selections.Path, row, index);
            bool state = BackdoorLayout.ReadFlag(row[BackdoorLayout.FlippedColumn]) ?? throw Bad(selections.Path, row, BackdoorLayout.FlippedColumn, "expected True or False");
            var data = choices[state].TryGetValue(s, out var d) ? d : choices[state][s] = new ChoiceData();
            data.Add(Differences(row, scenarios[s]), row["selection"] == "A");
        }

        var reports = new Dictionary<bool, Dictionary<int, List<double[]>>> { [false] = new(), [true] = new() };
        if (Usable(BackdoorLayout.Reports(model)))
        {
            var r = CsvTable.Read(Need(BackdoorLayout.Reports(model)));
            r.RequireColumns(["scenario", BackdoorLayout.FlippedColumn, "report_attr1", "report_attr2", "report_attr3", "report_attr4", "report_attr5"]);
            foreach (var row in r.Rows)
            {
                // A bad report: empty, or a value off the scale asked for (a file written before the stage left those out).
                if (!Enumerable.Range(1, 5).All(k => row.TryDouble($"report_attr{k}", out double v) && ReportParser.OnScale(v))) continue;
                bool state = BackdoorLayout.ReadFlag(row[BackdoorLayout.FlippedColumn]) ?? throw Bad(r.Path, row, BackdoorLayout.FlippedColumn, "expected True or False");
                int s = Scenario(r.Path, row, index);
                (reports[state].TryGetValue(s, out var list) ? list : reports[state][s] = []).Add(Enumerable.Range(1, 5).Select(k => row.Double($"report_attr{k}")).ToArray());
            }
        }

        var published = new Dictionary<bool, Dictionary<int, double[]>>();
        foreach (bool state in new[] { false, true })
            published[state] = Usable(BackdoorLayout.Regression(model, state))
                ? Weights(Need(BackdoorLayout.Regression(model, state)), index, PaperLayout.RegressionColumns[1..]).ToDictionary(kv => kv.Key, kv => kv.Value.Select(x => (double)x).ToArray())
                : [];

        return new BackdoorData
        {
            Directory = directory, Model = model, Scenarios = scenarios,
            Backdoored = flips.Where(targets.ContainsKey).Order().ToList(),
            Targets = targets, TriggeredTargets = triggered, TriggeredAreNegated = negated,
            Choices = choices, Reports = reports, Published = published, EmptyFiles = empty!,
        };
    }

    private static Dictionary<int, int[]> Weights(string path, Dictionary<string, int> index, string[] columns)
    {
        var t = CsvTable.Read(path);
        t.RequireColumns(["scenario", .. columns]);
        return t.Rows.ToDictionary(row => Scenario(path, row, index), row => columns.Select(c => (int)Math.Round(row.Double(c))).ToArray());
    }

    private static int Scenario(string path, CsvRow row, Dictionary<string, int> index) =>
        index.TryGetValue(row["scenario"], out var i) ? i : throw Bad(path, row, "scenario", $"'{row["scenario"]}' is not a scenario of scenarios.csv");

    private static double[] Differences(CsvRow row, Scenario s) =>
        Enumerable.Range(0, 5).Select(i => (row.Double($"A_attribute_{i + 1}") - row.Double($"B_attribute_{i + 1}")) / s.Attributes[i].Range).ToArray();

    private static DataFileException Bad(string path, CsvRow row, string field, string problem) => new(path, row.Line, field, problem);
}
