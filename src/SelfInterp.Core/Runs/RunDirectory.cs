namespace SelfInterp.Core.Runs;

/// <summary>
/// A run: a directory in its experiment's layout plus run.json. Every stage reads and writes here, so a run can
/// stop anywhere and resume. The manifest is saved atomically after every change.
/// </summary>
public sealed class RunDirectory
{
    public const string ManifestFile = "run.json";
    public string Path { get; }
    public RunManifest Manifest { get; }
    private readonly object _gate = new();

    private RunDirectory(string path, RunManifest manifest)
    {
        Path = path;
        Manifest = manifest;
    }

    public string ManifestPath => System.IO.Path.Combine(Path, ManifestFile);
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Opens the run in <paramref name="path"/>, creating it for <paramref name="config"/> when new.
    /// A run already there must have been made with the same config: resuming never mixes two experiments.</summary>
    public static RunDirectory OpenOrCreate(string path, RunConfig config)
    {
        var manifestPath = System.IO.Path.Combine(path, ManifestFile);
        if (System.IO.File.Exists(manifestPath))
        {
            var existing = RunManifest.Load(manifestPath);
            var a = System.Text.Json.JsonSerializer.Serialize(existing.Config, RunManifest.Json);
            var b = System.Text.Json.JsonSerializer.Serialize(config, RunManifest.Json);
            if (a != b)
                throw new UsageException($"{manifestPath}: this directory holds a run with a different config; " +
                                         "use a new --out directory, or the same options as the run in it");
            RemoveInterruptedWrites(path);
            return new RunDirectory(path, existing);
        }
        Directory.CreateDirectory(path);
        if (Directory.EnumerateFileSystemEntries(path).Any())
            throw new UsageException($"{path}: the directory is not empty and has no {ManifestFile}; choose a new --out directory");
        var dir = new RunDirectory(path, new RunManifest { Config = config });
        dir.Save();
        return dir;
    }

    /// <summary>A kill during an atomic write leaves its temporary file (.NAME.PID.tmp) behind; resuming removes them.</summary>
    private static void RemoveInterruptedWrites(string path)
    {
        foreach (var f in Directory.EnumerateFiles(path, ".*.tmp", SearchOption.AllDirectories)) System.IO.File.Delete(f);
    }

    public void Save()
    {
        lock (_gate) Manifest.Save(ManifestPath);
    }

    public void Update(Action<RunManifest> change)
    {
        lock (_gate)
        {
            change(Manifest);
            Manifest.Save(ManifestPath);
        }
    }

    public bool IsDone(string stage) => Manifest.Stages.TryGetValue(stage, out var r) && r.Status == "done";

    public ModelRecord Model(string key) => Manifest.Models.TryGetValue(key, out var m) && m.Id is not null
        ? m : throw new InvalidOperationException($"model '{key}' has not been made yet in {Path}");
}
