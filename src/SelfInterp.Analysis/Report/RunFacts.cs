using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Report;

/// <summary>One data file of the run: rows, scenarios and the model ids it names (or why it could not be read).</summary>
public sealed record DataFileFacts(string File, bool Present, int Rows, int Scenarios, int? FirstScenario, int? LastScenario,
    IReadOnlyList<string> Models, IReadOnlyList<string> Versions, string? Problem);

/// <summary>
/// What was run: run.json when the directory has one (a run of ours), and in every case what the data files
/// themselves show, which is all there is for the authors' published data.
/// </summary>
public sealed record RunFacts(string Directory, RunManifest? Manifest, string? ManifestProblem, IReadOnlyList<DataFileFacts> Files)
{
    /// <param name="inputs">scenarios.csv and instilled_weights.csv as the analysis found them (they may sit in the parent directory).</param>
    public static RunFacts Read(string runDir, IEnumerable<string> baseModels, ScenarioNames names, IEnumerable<string> inputs)
    {
        RunManifest? manifest = null;
        string? problem = null;
        var manifestPath = Path.Combine(runDir, PaperLayout.RunManifestFile);
        if (File.Exists(manifestPath))
        {
            try { manifest = RunManifest.Load(manifestPath); }
            catch (DataFileException e) { problem = e.Message; }
        }
        var files = inputs.Select(f => Path.GetRelativePath(runDir, f)).ToList();
        foreach (var m in baseModels)
        {
            files.Add(PaperLayout.InstilledSelections(m));
            files.Add(PaperLayout.LatentSelections(m));
            if (File.Exists(Path.Combine(runDir, PaperLayout.BaseSelections(m)))) files.Add(PaperLayout.BaseSelections(m));
            var reports = ReportFiles.Find(runDir, m);
            files.AddRange(Enum.GetValues<ReportCondition>().Select(c => reports.GetValueOrDefault(c) ?? ReportFiles.Pattern(m, c)));
        }
        return new RunFacts(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir))), manifest, problem,
            files.Select(f => Describe(runDir, f, names)).ToList());
    }

    private static DataFileFacts Describe(string runDir, string file, ScenarioNames names)
    {
        var path = Path.Combine(runDir, file);
        if (!File.Exists(path)) return new DataFileFacts(file, false, 0, 0, null, null, [], [], null);
        // Empty or blank: no rows, which the analysis's own warning already says (not a second one here).
        if (File.ReadLines(path).All(string.IsNullOrWhiteSpace)) return new DataFileFacts(file, true, 0, 0, null, null, [], [], null);
        try
        {
            var table = CsvTable.Read(path);
            var scenarios = table.HasColumn("scenario")
                ? table.Rows.Select(r => names.TryResolve(r["scenario"], out int s) ? s : (int?)null).OfType<int>().Distinct().Order().ToList()
                : [];
            string? modelColumn = table.HasColumn("explaining_model") ? "explaining_model" : table.HasColumn("model") ? "model" : null;
            return new DataFileFacts(file, true, table.Rows.Count, scenarios.Count,
                scenarios.Count > 0 ? scenarios[0] : null, scenarios.Count > 0 ? scenarios[^1] : null,
                Distinct(table, modelColumn), Distinct(table, table.HasColumn("version") ? "version" : null), null);
        }
        catch (DataFileException e)
        {
            return new DataFileFacts(file, true, 0, 0, null, null, [], [], e.Message);
        }
    }

    private static IReadOnlyList<string> Distinct(CsvTable table, string? column) =>
        column is null ? [] : table.Rows.Select(r => r[column]).Distinct().Order(StringComparer.Ordinal).ToList();
}
