using SelfInterp.Experiments.Preferences;
using SelfInterp.Backends.Local;
using SelfInterp.Core.Backends;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Engine;
using SelfInterp.Engine.HuggingFace;

namespace SelfInterp.WhiteBox;

/// <summary>A finished run on the local backend, opened for white-box work: its plan and its three models
/// (base, instilled, itrained on all instilled scenarios) in memory: organisms, or a Hugging Face base model
/// (`--base-model hf:DIR`) and the hf:BASE+adapter:DIR models registered for it.</summary>
public sealed class LabRun
{
    public string Path { get; }
    public PreferencesPlan Plan { get; }
    public IReadOnlyList<(string Name, LabSubject Subject)> Models { get; }

    LabRun(string path, PreferencesPlan plan, IReadOnlyList<(string, LabSubject)> models) => (Path, Plan, Models) = (path, plan, models);

    public LabSubject Model(string name) => Models.First(m => m.Name == name).Subject;

    /// <summary>A model as an organism, for the studies that train it (`reverse`); refused for a Hugging Face model.</summary>
    public Organism Organism(string name) => Model(name) is OrganismSubject o ? o.Organism
        : throw new UsageException($"{Path}: this study trains the models, which the engine does only for its own organisms (this run's are Hugging Face models)");

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
        var options = new ModelOptions { Threads = threads };
        bool hf = HfModelSpec.Is(config.BaseModel);
        var models = new List<(string, LabSubject)>
        {
            ("base", hf ? HuggingFace(config.BaseModel, plan, options, manifestPath, "config.base_model")
                : new OrganismSubject(Backends.Local.Organism.Load(ShippedOrganisms.DirectoryFor(config), plan.Catalog, options))),
        };
        foreach (var (name, key) in new[] { ("instilled", PreferencesStages.InstilledKey), ("itrained", PreferencesStages.ItrainedAllKey) })
        {
            string? id = manifest.Models.TryGetValue(key, out var record) ? record.Id : null;
            if (id is null) throw new UsageException($"{manifestPath}: field models.{key}: the run has no {name} model yet (finish it with `selfinterp run --out {path}`)");
            models.Add((name, hf ? HuggingFace(id, plan, options, manifestPath, $"models.{key}")
                : new OrganismSubject(Backends.Local.Organism.Load(System.IO.Path.Combine(path, "models", FineTunedModelId.DirectoryName(id)), plan.Catalog, options))));
        }
        return new LabRun(path, plan, models);
    }

    static HfSubject HuggingFace(string id, PreferencesPlan plan, ModelOptions options, string manifestPath, string field)
    {
        if (!HfModelSpec.Is(id))
            throw new UsageException($"{manifestPath}: field {field}: '{id}' is not a Hugging Face model (hf:DIR+adapter:DIR, as `selfinterp models set` registers it for a run on an hf: base model)");
        try { return new HfSubject(HfModel.Load(HfModelSpec.Parse(id), options: options), plan); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            throw new UsageException($"{manifestPath}: field {field}: {e.Message}");
        }
    }
}
