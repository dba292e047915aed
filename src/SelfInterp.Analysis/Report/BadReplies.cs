using System.Text.Json;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;

namespace SelfInterp.Analysis.Report;

/// <summary>One raw reply that is a bad report (<see cref="ReportParser.TryParseOnScale"/> rejects it: it does not parse,
/// or a value is off the scale), with where it came from and why.</summary>
public sealed record BadReply(int Index, int? Scenario, string Problem, string Text);

/// <summary>The bad replies of one report stage: how many, the first few as examples, and how many replies could not
/// be checked (no matching row in the report file, or a scenario missing from scenarios.csv).</summary>
public sealed record BadReplySample(string ConditionKey, string RepliesFile, int Replies, int Bad, int Uncheckable, IReadOnlyList<BadReply> Examples);

/// <summary>
/// Finds bad reports in replies/{stage}.jsonl, the raw record our pipeline keeps (the published layout has
/// only the parsed CSV, whose bad rows have empty report fields). Reply i of a stage is row i of its report file
/// (ReportsStage writes them in the same order), which gives the scenario, and so the attribute names the
/// parser needs.
/// </summary>
public static class BadReplies
{
    public const int ExamplesPerCondition = 3, MaxExampleChars = 300;

    public static List<BadReplySample> Read(string runDir, string baseModel, ScenarioNames scenarios, List<string> warnings)
    {
        var samples = new List<BadReplySample>();
        var reportFiles = ReportFiles.Find(runDir, baseModel);
        foreach (var c in ConditionInfo.All)
        {
            if (c.Stage is null || c.File is not { } file) continue;
            var relative = Path.Combine(Elicitation.RepliesDirectory, c.Stage + ".jsonl");
            var path = Path.Combine(runDir, relative);
            if (!File.Exists(path)) continue;
            var rowScenarios = reportFiles.TryGetValue(file, out var reportFile) ? ReportScenarios(Path.Combine(runDir, reportFile), scenarios) : [];
            int count = 0, bad = 0, uncheckable = 0, lineNumber = 0;
            var examples = new List<BadReply>();
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (line.Length == 0) continue;
                Reply? reply;
                try { reply = JsonSerializer.Deserialize<Reply>(line); }
                catch (JsonException e)
                {
                    warnings.Add($"{relative}:{lineNumber}: not a reply record ({e.Message}); skipped");
                    continue;
                }
                if (reply is null) continue;
                count++;
                int? scenario = reply.Index >= 0 && reply.Index < rowScenarios.Count ? rowScenarios[reply.Index] : null;
                if (scenario is not { } id || !scenarios.TryGet(id, out var spec)) { uncheckable++; continue; }
                if (ReportParser.TryParseOnScale(reply.Text ?? "", spec, out _, out var problem)) continue;
                bad++;
                if (examples.Count < ExamplesPerCondition)
                    examples.Add(new BadReply(reply.Index, scenario, problem ?? "rejected", Shorten(reply.Text ?? "(no text)")));
            }
            samples.Add(new BadReplySample(c.Key, relative.Replace('\\', '/'), count, bad, uncheckable, examples));
        }
        return samples;
    }

    /// <summary>The scenario of each data row of a report file, in order; empty if the file is unreadable.</summary>
    private static List<int?> ReportScenarios(string path, ScenarioNames scenarios)
    {
        try
        {
            var table = CsvTable.Read(path);
            if (!table.HasColumn("scenario")) return [];
            return table.Rows.Select(r => scenarios.TryResolve(r["scenario"], out int s) ? s : (int?)null).ToList();
        }
        catch (DataFileException) { return []; }
    }

    private static string Shorten(string text) =>
        text.Length <= MaxExampleChars ? text : text[..MaxExampleChars] + $"… ({text.Length} characters in all)";
}
