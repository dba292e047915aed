using SelfInterp.Core.IO;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Data;

/// <summary>
/// Where the scenario files of a directory are: named explicitly, else in the directory, else in its parent
/// (a replication's repository keeps <c>data/scenarios.csv</c> and <c>data/instilled_weights.csv</c> beside
/// one folder per run).
/// </summary>
public static class InputFiles
{
    /// <summary>scenarios.csv: required.</summary>
    public static string Scenarios(string runDir, string? named) =>
        Find(runDir, named, PaperLayout.ScenariosFile, "--scenarios")
        ?? throw new DataFileException(Path.Combine(runDir, PaperLayout.ScenariosFile), null, null,
            $"file not found (nor in the parent directory; name it with --scenarios)");

    /// <summary>instilled_weights.csv: optional (without it there is no instillation r and no target comparison).</summary>
    public static string? Weights(string runDir, string? named) =>
        Find(runDir, named, PaperLayout.InstilledWeightsFile, "--weights");

    private static string? Find(string runDir, string? named, string file, string option)
    {
        if (named is not null)
            return File.Exists(named) ? named
                : Directory.Exists(named) ? throw new DataFileException(named, null, null, $"a directory (named by {option}); give the file itself, e.g. {Path.Combine(named, file)}")
                : throw new DataFileException(named, null, null, $"file not found (named by {option})");
        var here = Path.Combine(runDir, file);
        if (File.Exists(here)) return here;
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir)));
        var there = parent is null ? null : Path.Combine(parent, file);
        return there is not null && File.Exists(there) ? there : null;
    }
}
