using System.Text.RegularExpressions;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Layout;

/// <summary>
/// The six report files by role. Three of the paper's names state the run's counts
/// (<c>{model}_itrained_first_50_of_100_50ex_weight_reports.csv</c>): our runs write their own counts there, so a
/// 20-scenario run's files say 10 of 20, and readers match the role, whatever counts a name states. That reads
/// the authors' published folders, our runs, and our runs made before the names stated their counts (which wrote
/// the paper's counts whatever the run's size) alike.
/// </summary>
public static class ReportFiles
{
    private const string Model = "{model}", Half = "{half}", Instilled = "{n}", Examples = "{ex}";

    private static string Template(ReportCondition condition) => condition switch
    {
        ReportCondition.Base => $"{Model}_weight_reports.csv",
        ReportCondition.Instilled => $"{Model}_instilled_weight_reports.csv",
        ReportCondition.ItrainedFirstHalf => $"{Model}_itrained_first_{Half}_of_{Instilled}_{Examples}ex_weight_reports.csv",
        ReportCondition.ItrainedSecondHalf => $"{Model}_itrained_last_{Half}_of_{Instilled}_{Examples}ex_weight_reports.csv",
        ReportCondition.NativeBefore => $"{Model}_instilled_latent_weight_reports.csv",
        ReportCondition.NativeAfter => $"{Model}_itrained_all_{Instilled}_{Examples}ex_latent_weight_reports.csv",
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };

    /// <summary>The name a run with <paramref name="counts"/> writes.</summary>
    public static string Name(string model, ReportCondition condition, ReportCounts counts) =>
        Template(condition).Replace(Half, Text(counts.Instilled / 2)).Replace(Instilled, Text(counts.Instilled))
            .Replace(Examples, Text(counts.Examples)).Replace(Model, model); // the model last: its name is not a template

    /// <summary>The role's name with each count a <c>*</c>, for messages about a file that is not there.</summary>
    public static string Pattern(string model, ReportCondition condition) =>
        Template(condition).Replace(Half, "*").Replace(Instilled, "*").Replace(Examples, "*").Replace(Model, model);

    private static Regex Matcher(string model, ReportCondition condition) =>
        new("^" + Regex.Escape(Template(condition))
            .Replace(Regex.Escape(Half), "[0-9]+").Replace(Regex.Escape(Instilled), "(?<n>[0-9]+)").Replace(Regex.Escape(Examples), "[0-9]+")
            .Replace(Regex.Escape(Model), Regex.Escape(model)) + "$",
            RegexOptions.CultureInvariant);

    /// <summary>The instilled scenarios a role's file name states (<c>…_of_100_…</c>: 100), or null where its name states none.</summary>
    public static int? StatedInstilled(string model, ReportCondition condition, string fileName) =>
        Matcher(model, condition).Match(fileName) is { Success: true } m && m.Groups["n"].Success
            && int.TryParse(m.Groups["n"].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>
    /// The file of each role present in <paramref name="runDir"/> (names relative to it), by condition. Two files
    /// of one role (a run made before the names stated counts, resumed since, holds its old file beside the new)
    /// are told apart by run.json, which records the one its stage wrote last; failing that, neither is guessed.
    /// </summary>
    public static IReadOnlyDictionary<ReportCondition, string> Find(string runDir, string model)
    {
        var names = Directory.EnumerateFiles(runDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var found = new SortedDictionary<ReportCondition, string>();
        HashSet<string>? recorded = null;
        foreach (var condition in Enum.GetValues<ReportCondition>())
        {
            var matcher = Matcher(model, condition);
            var matches = names.Where(n => matcher.IsMatch(n)).ToList();
            if (matches.Count > 1)
            {
                recorded ??= RecordedOutputs(runDir);
                var written = matches.Where(recorded.Contains).ToList();
                if (written.Count != 1)
                    throw new DataFileException(Path.Combine(runDir, matches[0]), null, null,
                        $"{matches.Count} files hold the same reports ({string.Join(", ", matches)}, all matching {Pattern(model, condition)}) " +
                        "and run.json does not say which its run wrote: move the others out of the directory");
                matches = written;
            }
            if (matches.Count == 1) found[condition] = matches[0];
        }
        return found;
    }

    /// <summary>Every file a done stage of the run wrote, by run.json; none when the directory has no readable run.json.</summary>
    private static HashSet<string> RecordedOutputs(string runDir)
    {
        var path = Path.Combine(runDir, RunDirectory.ManifestFile);
        if (!File.Exists(path)) return [];
        try
        {
            return RunManifest.Load(path).Stages.Values.SelectMany(s => s.Outputs?.Keys ?? Enumerable.Empty<string>()).ToHashSet(StringComparer.Ordinal);
        }
        catch (DataFileException) { return []; } // the report says run.json could not be read
    }

    private static string Text(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
