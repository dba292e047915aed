namespace SelfInterp.Core.Runs;

/// <summary>
/// A run: a directory in its experiment's layout plus run.json. Every stage reads and writes here, so a run can
/// stop anywhere and resume. The manifest is saved atomically after every change. One process at a time: an
/// open run holds an OS lock on run.lock until it is disposed (or its process dies, killed or not).
/// </summary>
public sealed class RunDirectory : IDisposable
{
    public const string LockFile = "run.lock";
    public const string ManifestFile = "run.json";

    public string Path { get; }
    public RunManifest Manifest { get; }
    private readonly object _gate = new();
    private readonly FileStream _lock;

    private RunDirectory(string path, RunManifest manifest, FileStream runLock)
    {
        Path = path;
        Manifest = manifest;
        _lock = runLock;
    }

    /// <summary>Releases the directory to other processes.</summary>
    public void Dispose() => _lock.Dispose();

    public string ManifestPath => System.IO.Path.Combine(Path, ManifestFile);
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Opens the run in <paramref name="path"/>, creating it for <paramref name="config"/> when new.
    /// A run already there must have been made with the same config: resuming never mixes two experiments.</summary>
    /// Throws <see cref="RunDirectoryInUseException"/> while another process has the run open.</summary>
    public static RunDirectory OpenOrCreate(string path, RunConfig config)
    {
        if (System.IO.File.Exists(path)) throw new UsageException($"--out {path}: is a file; give a directory for the run");
        bool existed = Directory.Exists(path);
        string lockPath = System.IO.Path.Combine(path, LockFile);
        bool lockExisted = System.IO.File.Exists(lockPath);
        Directory.CreateDirectory(path);
        var runLock = Lock(lockPath);
        try
        {
            var manifestPath = System.IO.Path.Combine(path, ManifestFile);
            if (System.IO.File.Exists(manifestPath))
            {
                var existing = RunManifest.Load(manifestPath);
                var a = System.Text.Json.JsonSerializer.Serialize(existing.Config, RunManifest.Json);
                var b = System.Text.Json.JsonSerializer.Serialize(config, RunManifest.Json);
                if (a != b)
                    throw new UsageException($"{manifestPath}: this directory holds a run with a different config ({string.Join("; ", ConfigDifference.Between(existing.Config, config))}); " +
                                             "use a new --out directory, or the same options as the run in it");
                RemoveInterruptedWrites(path);
                return new RunDirectory(path, existing, runLock);
            }
            if (Directory.EnumerateFileSystemEntries(path).Any(e => System.IO.Path.GetFileName(e) != LockFile))
                throw new UsageException($"{path}: the directory is not empty and has no {ManifestFile}; choose a new --out directory");
            var dir = new RunDirectory(path, new RunManifest { Config = config }, runLock);
            dir.Save();
            return dir;
        }
        catch
        {
            // Leave the directory as it was found: no lock file in a directory that is not ours, no directory we made.
            runLock.Dispose();
            if (!existed) Directory.Delete(path, recursive: true);
            else if (!lockExisted) System.IO.File.Delete(lockPath);
            throw;
        }
    }

    /// <summary>An exclusive OS lock (FileShare.None): released when the stream is closed or the process ends.</summary>
    private static FileStream Lock(string lockPath)
    {
        try { return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) when (System.IO.File.Exists(lockPath))
        {
            throw new RunDirectoryInUseException(
                $"{System.IO.Path.GetDirectoryName(lockPath)}: another selfinterp process is running in this directory (it holds {LockFile}); " +
                $"wait for it to finish, or use another --out ({e.Message})");
        }
    }

    /// <summary>Opens an existing run, whatever its config, holding its lock (for commands that edit a run: `models set`).</summary>
    public static RunDirectory Open(string path)
    {
        var manifestPath = System.IO.Path.Combine(path, ManifestFile);
        if (!System.IO.File.Exists(manifestPath))
            throw new UsageException($"{path}: not a run directory (no {ManifestFile})");
        var runLock = Lock(System.IO.Path.Combine(path, LockFile));
        try { return new RunDirectory(path, RunManifest.Load(manifestPath), runLock); }
        catch { runLock.Dispose(); throw; }
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

/// <summary>Another process has the run directory open; the CLI exits with its own code for this.</summary>
public sealed class RunDirectoryInUseException(string message) : Exception(message);
