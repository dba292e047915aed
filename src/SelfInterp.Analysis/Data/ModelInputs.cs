using SelfInterp.Analysis.Regression;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// Everything one base model contributes to a run directory, read: its two selections files (the latent one
/// optional), the base model's own choices where a run of ours has them, and whichever of the six report files exist
/// (<see cref="ReportFiles"/>: found by role; <see cref="ReportFileNames"/> says which file each came from).
/// </summary>
public sealed record ModelInputs(
    string Model,
    SortedDictionary<int, ChoiceData> InstilledChoices,
    SortedDictionary<int, ChoiceData>? LatentChoices,
    SortedDictionary<int, ChoiceData>? BaseChoices,
    IReadOnlyDictionary<ReportCondition, ReportSet> Reports,
    IReadOnlyDictionary<ReportCondition, string> ReportFileNames)
{
    /// <summary>
    /// Reads every file of every model concurrently (parsing is a third of the analysis's time). When several
    /// files are bad, the error thrown is that of the first in model then file order, so it never depends on timing.
    /// </summary>
    public static List<ModelInputs> ReadAll(string runDir, IReadOnlyList<string> models, ScenarioRanges scenarios, ExclusionLog log)
    {
        Task<T> Start<T>(Func<T> read) => Task.Run(read);
        var pending = models.Select(model =>
        {
            var latentPath = Path.Combine(runDir, PaperLayout.LatentSelections(model));
            var basePath = Path.Combine(runDir, PaperLayout.BaseSelections(model));
            var reportFiles = ReportFiles.Find(runDir, model);
            return (
                Model: model,
                ReportFiles: reportFiles,
                Instilled: Start(() => SelectionReader.Read(Path.Combine(runDir, PaperLayout.InstilledSelections(model)), scenarios, log)),
                Latent: File.Exists(latentPath) ? Start(() => SelectionReader.Read(latentPath, scenarios, log)) : null,
                Base: File.Exists(basePath) ? Start(() => SelectionReader.Read(basePath, scenarios, log)) : null,
                Reports: reportFiles
                    .Select(f => (Condition: f.Key, Task: Start(() => ReportSet.Read(Path.Combine(runDir, f.Value), scenarios, log))))
                    .ToList());
        }).ToList();

        try { Task.WaitAll(pending.SelectMany(p => new Task?[] { p.Instilled, p.Latent, p.Base }.Concat(p.Reports.Select(r => r.Task))).OfType<Task>()); }
        catch (AggregateException) { /* rethrown below, in a fixed order */ }

        var inputs = pending.Select(p => new ModelInputs(
            p.Model,
            p.Instilled.GetAwaiter().GetResult(),
            p.Latent?.GetAwaiter().GetResult(),
            p.Base?.GetAwaiter().GetResult(),
            p.Reports.ToDictionary(r => r.Condition, r => r.Task.GetAwaiter().GetResult()),
            p.ReportFiles)).ToList();
        foreach (var m in inputs) m.LeaveOutTrainedScenarios(runDir, scenarios.Keys, log);
        return inputs;
    }

    /// <summary>
    /// Held-out means held out: a row of an itrained half's file on a scenario of the half that model was trained on
    /// (by the protocol, the first or last half of the instilled scenarios 0..N-1; the authors' first_50_of_100 model
    /// trained on 0–49 and reports on 50–99) would raise held-out accuracy with exit 0, so it is left out and logged.
    /// N is run.json's for a run of ours; else the count the file's name states, when the instilled selections fit it
    /// (our runs made before the names stated their counts carry the paper's 100 whatever their size: no check then).
    /// </summary>
    private void LeaveOutTrainedScenarios(string runDir, ScenarioKeys keys, ExclusionLog log)
    {
        foreach (var (condition, first) in new[] { (ReportCondition.ItrainedFirstHalf, true), (ReportCondition.ItrainedSecondHalf, false) })
        {
            if (!Reports.TryGetValue(condition, out var set) || InstilledCount(runDir, condition) is not { } n) continue;
            int half = n / 2;
            Func<int, bool> trainedOn = first ? id => id >= 0 && id < half : id => id >= half && id < n;
            set.LeaveOut(trainedOn, Path.Combine(runDir, ReportFileNames[condition]),
                $"reports on a scenario its model was itrained on (the {(first ? "first" : "last")} half of instilled scenarios 0–{n - 1}) in a held-out condition",
                keys.Key, log);
        }
    }

    private int? InstilledCount(string runDir, ReportCondition condition)
    {
        if (RunSettingsInstilled(runDir) is { } ours) return ours;
        if (ReportFiles.StatedInstilled(Model, condition, ReportFileNames[condition]) is not { } stated || InstilledChoices.Count == 0) return null;
        int max = InstilledChoices.Keys.Max();
        return InstilledChoices.Keys.Min() >= 0 && max < stated && max >= stated / 2 ? stated : null;
    }

    /// <summary>run.json's settings.instilled, or null (no run.json, an unreadable one, or none recorded).</summary>
    private static int? RunSettingsInstilled(string runDir)
    {
        var path = Path.Combine(runDir, Core.Runs.RunDirectory.ManifestFile);
        if (!File.Exists(path)) return null;
        try
        {
            return Core.Runs.RunManifest.Load(path).Config.Settings.TryGetPropertyValue("instilled", out var node)
                   && node is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out int n) && n > 1 ? n : null;
        }
        catch (Core.IO.DataFileException) { return null; } // the checks say run.json could not be read
    }
}
