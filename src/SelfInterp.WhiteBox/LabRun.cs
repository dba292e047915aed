using SelfInterp.Experiments.Preferences;
using SelfInterp.Backends.Local;
using SelfInterp.Core.Backends;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>One model of the lab and the scenarios it is measured on: the instilled scenarios it is scored on (for an
/// introspection-trained model, only those it was not trained on when the lab runs held out) and the native ones.
/// <paramref name="TargetsOf"/> names the model whose choice weights a control network is scored against (a control
/// network's own choices mean nothing); null for a model scored on its own.</summary>
public sealed record LabModel(string Name, Organism Organism, IReadOnlyList<int> Instilled, IReadOnlyList<int> Native, string? TargetsOf = null)
{
    public IReadOnlyList<int> Scenarios => [.. Instilled, .. Native];
}

/// <summary>A finished run on the local backend, opened for white-box work: its plan and its models as organisms in
/// memory: base, instilled and the introspection-trained models (by default the one trained on all instilled
/// scenarios, measured in-sample on them; held out, the two half-trained models each on the half it never saw).</summary>
public sealed class LabRun
{
    public string Path { get; }
    public PreferencesPlan Plan { get; }
    public IReadOnlyList<LabModel> Models { get; }
    public bool HeldOut { get; }

    LabRun(string path, PreferencesPlan plan, IReadOnlyList<LabModel> models, bool heldOut) => (Path, Plan, Models, HeldOut) = (path, plan, models, heldOut);

    public Organism Model(string name) => Lab(name).Organism;

    public LabModel Lab(string name) => Models.FirstOrDefault(m => m.Name == name) ?? throw new InvalidOperationException($"the lab has no model '{name}' (it has {string.Join(", ", Models.Select(m => m.Name))})");

    /// <summary>The introspection-trained models the lab measures.</summary>
    public IEnumerable<LabModel> Itrained => Models.Where(m => m.Name.StartsWith("itrained", StringComparison.Ordinal));

    /// <summary>Opens the run; a run on another backend, or one whose models are not all trained, is refused
    /// with a message that says why (exit code 2).</summary>
    /// <param name="heldOut">Measure introspection training out of sample: itrained_first on the second half of the
    /// instilled scenarios and itrained_last on the first half, in place of itrained_all on all of them.</param>
    public static LabRun Open(string path, string command, int threads, bool heldOut = false)
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
        var instilled = plan.Config.InstilledScenarios.ToList();
        var native = plan.Config.NativeScenarios.ToList();
        var firstHalf = instilled.Take(plan.Config.Instilled / 2).ToList();
        var secondHalf = instilled.Skip(plan.Config.Instilled / 2).ToList();
        var models = new List<LabModel> { new("base", Organism.Load(baseDir, plan.Catalog, options), instilled, native) };
        var trained = heldOut
            ? new[] { ("instilled", PreferencesStages.InstilledKey, instilled), ("itrained_first", PreferencesStages.ItrainedFirstKey, secondHalf), ("itrained_last", PreferencesStages.ItrainedLastKey, firstHalf) }
            : [("instilled", PreferencesStages.InstilledKey, instilled), ("itrained", PreferencesStages.ItrainedAllKey, instilled)];
        foreach (var (name, key, scenarios) in trained)
        {
            string? id = manifest.Models.TryGetValue(key, out var record) ? record.Id : null;
            if (id is null) throw new UsageException($"{manifestPath}: field models.{key}: the run has no {name} model yet (finish it with `selfinterp run --out {path}`)");
            models.Add(new(name, Organism.Load(System.IO.Path.Combine(path, "models", FineTunedModelId.DirectoryName(id)), plan.Catalog, options), scenarios, native));
        }
        return new LabRun(path, plan, models, heldOut);
    }

    /// <summary>This lab with the untrained-body control network added (<see cref="UntrainedBody"/>), scored against the
    /// instilled model's choice weights.</summary>
    public LabRun WithUntrainedBody()
    {
        var instilled = Lab("instilled");
        var control = UntrainedBody.Make(instilled.Organism, Plan.Seeds.Master);
        return new LabRun(Path, Plan, [.. Models, instilled with { Name = UntrainedBody.ModelName, Organism = control, TargetsOf = "instilled" }], HeldOut);
    }
}
