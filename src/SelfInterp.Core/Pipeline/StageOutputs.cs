using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Core.Pipeline;

/// <summary>The files a stage wrote, by SHA-256: recorded in run.json when it finishes, checked before it is skipped.</summary>
public static class StageOutputs
{
    public static SortedDictionary<string, string> Hash(RunDirectory run, IEnumerable<string> outputs)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in outputs) hashes[Key(file)] = Sha256(run.File(file)) ?? throw new InvalidOperationException($"{run.File(file)}: the stage finished without writing it");
        return hashes;
    }

    /// <summary>Why a done stage must run again (its first output missing, altered or never recorded), or null.</summary>
    public static string? FirstDamaged(RunDirectory run, string stage, IEnumerable<string> outputs)
    {
        var recorded = run.Manifest.Stages.TryGetValue(stage, out var r) ? r.Outputs : null;
        foreach (var file in outputs)
        {
            string path = run.File(file);
            if (recorded is null || !recorded.TryGetValue(Key(file), out var expected)) return $"{path}: not recorded in run.json";
            var actual = Sha256(path);
            if (actual is null) return $"{path}: missing";
            if (actual != expected) return $"{path}: altered since the stage wrote it (SHA-256 differs from run.json)";
        }
        return null;
    }

    /// <summary>Forward slashes, so run.json reads the same on every system.</summary>
    private static string Key(string file) => file.Replace('\\', '/');

    private static string? Sha256(string path) => File.Exists(path) ? FileHash.Sha256(path) : null;
}
