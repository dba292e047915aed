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

        return pending.Select(p => new ModelInputs(
            p.Model,
            p.Instilled.GetAwaiter().GetResult(),
            p.Latent?.GetAwaiter().GetResult(),
            p.Base?.GetAwaiter().GetResult(),
            p.Reports.ToDictionary(r => r.Condition, r => r.Task.GetAwaiter().GetResult()),
            p.ReportFiles)).ToList();
    }
}
