using SelfInterp.Experiments.Preferences;
using SelfInterp.Organisms;
using SelfInterp.Core.Backends;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.Transformer;
using SelfInterp.Engine.HuggingFace;

namespace SelfInterp.WhiteBox;

/// <summary>One model of the lab and the scenarios it is measured on: the instilled scenarios it is scored on (for an
/// introspection-trained model, only those it was not trained on when the lab runs held out) and the native ones.
/// <paramref name="TargetsOf"/> names the model whose choice weights a control network is scored against (a control
/// network's own choices mean nothing); null for a model scored on its own.</summary>
public sealed record LabModel(string Name, LabSubject Subject, IReadOnlyList<int> Instilled, IReadOnlyList<int> Native, string? TargetsOf = null)
{
    public IReadOnlyList<int> Scenarios => [.. Instilled, .. Native];

    /// <summary>How many instilled and native scenarios the model has in the run; more than it is measured on when
    /// the lab is limited (<see cref="LabLimits.Scenarios"/>).</summary>
    public (int Instilled, int Native) OfRun { get; init; } = (Instilled.Count, Native.Count);

    public bool Reduced => Instilled.Count < OfRun.Instilled || Native.Count < OfRun.Native;

    /// <summary>This model measured on at most the first <paramref name="limit"/> of its instilled and of its native scenarios.</summary>
    public LabModel Limit(int limit) => this with { Instilled = [.. Instilled.Take(limit)], Native = [.. Native.Take(limit)] };
}

/// <summary>A finished run on the local backend, opened for white-box work: its plan and its models in memory, as
/// organisms or, for a run on a Hugging Face base model (`--base-model hf:DIR`), as that model and the
/// hf:BASE+adapter:DIR models registered for it: base, instilled and the introspection-trained models (by default the
/// one trained on all instilled scenarios, measured in-sample on them; held out, the two half-trained models each on
/// the half it never saw).</summary>
public sealed class LabRun
{
    public string Path { get; }
    public PreferencesPlan Plan { get; }
    public IReadOnlyList<LabModel> Models { get; }
    public bool HeldOut { get; }
    /// <summary>Bounds on the work, for a slow model (`--scenarios`, `--report-tokens`); none for the full lab.</summary>
    public LabLimits Limits { get; }

    /// <summary>The most tokens decoded for a report: the run's own setting unless limited.</summary>
    public int ReportMaxTokens => Math.Min(Limits.ReportTokens ?? int.MaxValue, Plan.Config.ReportMaxTokens);

    /// <summary>Some model is measured on fewer scenarios than the run has for it, or reports are cut shorter than the run's.</summary>
    public bool Reduced => Models.Any(m => m.Reduced) || ReportMaxTokens < Plan.Config.ReportMaxTokens;

    LabRun(string path, PreferencesPlan plan, IReadOnlyList<LabModel> models, bool heldOut, LabLimits limits) =>
        (Path, Plan, Models, HeldOut, Limits) = (path, plan, limits.Scenarios is int n ? [.. models.Select(m => m.Limit(n))] : models, heldOut, limits);

    public LabSubject Model(string name) => Lab(name).Subject;

    public LabModel Lab(string name) => Models.FirstOrDefault(m => m.Name == name) ?? throw new InvalidOperationException($"the lab has no model '{name}' (it has {string.Join(", ", Models.Select(m => m.Name))})");

    /// <summary>The introspection-trained models the lab measures.</summary>
    public IEnumerable<LabModel> Itrained => Models.Where(m => m.Name.StartsWith("itrained", StringComparison.Ordinal));

    /// <summary>A model as an organism, for the studies that train it (`reverse`) or draw a network from its pretraining
    /// recipe (the untrained-body control); refused for a Hugging Face model, saying <paramref name="why"/>.</summary>
    public Organism Organism(string name, string why = "this study trains the models") => Model(name) is OrganismSubject o ? o.Organism
        : throw new UsageException($"{Path}: {why}, which the engine does only for its own organisms (this run's are Hugging Face models)");

    /// <summary>Opens the run; a run on another backend, or one whose models are not all trained, is refused
    /// with a message that says why (exit code 2).</summary>
    /// <param name="heldOut">Measure introspection training out of sample: itrained_first on the second half of the
    /// instilled scenarios and itrained_last on the first half, in place of itrained_all on all of them.</param>
    /// <param name="limits">Bounds on the work (checked here, before anything is loaded); null for the full lab.</param>
    public static LabRun Open(string path, string command, int threads, bool heldOut = false, LabLimits? limits = null)
    {
        limits ??= new LabLimits();
        limits.Check();
        string manifestPath = System.IO.Path.Combine(path, PaperLayout.RunManifestFile);
        if (!File.Exists(manifestPath)) throw new UsageException($"{path}: no {PaperLayout.RunManifestFile} (not a run directory of ours)");
        var manifest = RunManifest.Load(manifestPath);
        var config = manifest.Config;
        if (config.Backend != "local")
            throw new UsageException($"{manifestPath}: field config.backend: `selfinterp {command}` needs a local model (our engine reads its activations, changes its weights and trains it); this run used '{config.Backend}'");
        var plan = PreferencesPlan.Create(config);
        var options = new ModelOptions { Threads = threads };
        var instilled = plan.Config.InstilledScenarios.ToList();
        var native = plan.Config.NativeScenarios.ToList();
        var firstHalf = instilled.Take(plan.Config.Instilled / 2).ToList();
        var secondHalf = instilled.Skip(plan.Config.Instilled / 2).ToList();
        bool hf = HfModelSpec.Is(config.BaseModel);
        LabSubject baseSubject = hf ? HuggingFace(config.BaseModel, plan, options, manifestPath, "config.base_model")
            : new OrganismSubject(Organisms.Organism.Load(ShippedOrganisms.DirectoryFor(config), plan.Catalog, options));
        var models = new List<LabModel> { new("base", baseSubject, instilled, native) };
        var trained = heldOut
            ? new[] { ("instilled", PreferencesStages.InstilledKey, instilled), ("itrained_first", PreferencesStages.ItrainedFirstKey, secondHalf), ("itrained_last", PreferencesStages.ItrainedLastKey, firstHalf) }
            : [("instilled", PreferencesStages.InstilledKey, instilled), ("itrained", PreferencesStages.ItrainedAllKey, instilled)];
        foreach (var (name, key, scenarios) in trained)
        {
            string? id = manifest.Models.TryGetValue(key, out var record) ? record.Id : null;
            if (id is null) throw new UsageException($"{manifestPath}: field models.{key}: the run has no {name} model yet (finish it with `selfinterp run --out {path}`)");
            LabSubject subject = hf ? HuggingFace(id, plan, options, manifestPath, $"models.{key}")
                : new OrganismSubject(Organisms.Organism.Load(System.IO.Path.Combine(path, "models", FineTunedModelId.DirectoryName(id)), plan.Catalog, options));
            models.Add(new(name, subject, scenarios, native));
        }
        return new LabRun(path, plan, models, heldOut, limits);
    }

    /// <summary>This lab with the untrained-body control network added (<see cref="UntrainedBody"/>), scored against the
    /// instilled model's choice weights.</summary>
    public LabRun WithUntrainedBody()
    {
        var instilled = Lab("instilled");
        var control = UntrainedBody.Make(Organism("instilled", "the untrained-body control (--untrained-body) draws a fresh body from the pretraining recipe"), Plan.Seeds.Master);
        return new LabRun(Path, Plan, [.. Models, instilled with { Name = UntrainedBody.ModelName, Subject = new OrganismSubject(control), TargetsOf = "instilled" }], HeldOut, Limits);
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
