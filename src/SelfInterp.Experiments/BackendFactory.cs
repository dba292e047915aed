using SelfInterp.Organisms;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments;

/// <summary>Makes the backend a run's config names.</summary>
public static class BackendFactory
{
    public static readonly string[] Names = ["simulated", "local", "openai"];

    /// <summary>The backends `selfinterp serve` can put behind its HTTP API (not openai: that would be a proxy).</summary>
    public static readonly string[] ServableNames = ["simulated", "local"];

    /// <summary>What `selfinterp serve` hosts unless told otherwise.</summary>
    public const string DefaultServeBackend = "local";

    public static string DefaultBaseModel(string backend) => backend switch
    {
        "simulated" => SimulatedBackend.BaseModelId,
        "local" => ShippedOrganisms.Default,
        // The id under which `serve` exposes its default backend's base model, so serve + run need no flags.
        "openai" => DefaultBaseModel(DefaultServeBackend),
        _ => throw Unknown(backend),
    };

    /// <param name="codec">The experiment's task codec: how the local and simulated backends read its prompts (and the agents
    /// the simulated backend hosts).</param>
    /// <param name="usage">Receives usage counts from remote services as they accrue (run.json's usage); may be null.</param>
    /// <param name="modelsDirectory">Where trained models live. Default: models/ in the run directory.</param>
    public static IModelBackend Create(RunConfig config, ScenarioCatalog catalog, ITaskCodec codec, string runDirectory,
        Action<IReadOnlyDictionary<string, double>>? usage = null, string? modelsDirectory = null)
    {
        var models = modelsDirectory ?? Path.Combine(runDirectory, "models");
        return config.Backend switch
        {
            "simulated" => new SimulatedBackend(codec, config.BackendOptions, models, config.Seeds.Master),
            "local" when Engine.HuggingFace.HfModelSpec.Is(config.BaseModel) => new Backends.HuggingFace.HfBackend(config.BaseModel, Environment.ProcessorCount),
            "local" => new LocalBackend(catalog, codec, config.BaseModel, ShippedOrganisms.DirectoryFor(config),
                models, Environment.ProcessorCount, InstillationOptions.From(config.BackendOptions)),
            "openai" => OpenAIBackend.FromEnvironment(config, Environment.GetEnvironmentVariable, usage),
            _ => throw Unknown(config.Backend),
        };
    }

    private static UsageException Unknown(string backend) =>
        new($"unknown backend '{backend}' (known: {string.Join(", ", Names)})");
}
