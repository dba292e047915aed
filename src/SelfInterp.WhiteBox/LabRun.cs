using SelfInterp.Experiments.Preferences;
using SelfInterp.Backends.Local;
using SelfInterp.Core.Backends;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>A finished run on the local backend, opened for white-box work: its plan and its three models
/// (base, instilled, itrained on all instilled scenarios) as organisms in memory.</summary>
public sealed class LabRun
{
    public string Path { get; }
    public PreferencesPlan Plan { get; }
    public IReadOnlyList<(string Name, Organism Organism)> Models { get; }

    LabRun(string path, PreferencesPlan plan, IReadOnlyList<(string, Organism)> models) => (Path, Plan, Models) = (path, plan, models);

    public Organism Model(string name) => Models.First(m => m.Name == name).Organism;

    /// <summary>Opens the run; a run on another backend, or one whose models are not all trained, is refused
    /// with a message that says why (exit code 2).</summary>
    public static LabRun Open(string path, string command, int threads)
    {
        string manifestPath = System.IO.Path.Combine(path, PaperLayout.RunManifestFile);
        if (!File.Exists(manifestPath)) throw new UsageException($"{path}: no {PaperLayout.RunManifestFile} (not a run directory of ours)");
        var manifest = RunManifest.Load(manifestPath);
        var config = manifest.Config;
        if (config.Backend != "local")
            throw new UsageException($"{manifestPath}: field config.backend: `selfinterp {command}` needs a local model (our engine reads its activations, changes its weights and trains it); this run used '{config.Backend}'");
        var plan = PreferencesPlan.Create(config);
        string baseDir = ShippedOrganisms.DirectoryFor(config);
        var options = new ModelOptions { Threads = threads };
        var models = new List<(string, Organism)> { ("base", Organism.Load(baseDir, plan.Catalog, options)) };
        foreach (var (name, key) in new[] { ("instilled", PreferencesStages.InstilledKey), ("itrained", PreferencesStages.ItrainedAllKey) })
        {
            string? id = manifest.Models.TryGetValue(key, out var record) ? record.Id : null;
            if (id is null) throw new UsageException($"{manifestPath}: field models.{key}: the run has no {name} model yet (finish it with `selfinterp run --out {path}`)");
            models.Add((name, Organism.Load(System.IO.Path.Combine(path, "models", FineTunedModelId.DirectoryName(id)), plan.Catalog, options)));
        }
        return new LabRun(path, plan, models);
    }
}
