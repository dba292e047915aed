using SelfInterp.Backends.Local;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Catalog;
using SelfInterp.Core.Prompts;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends;

/// <summary>Makes the backend a run's config names.</summary>
public static class BackendFactory
{
    public static readonly string[] Names = ["simulated", "local"];

    public static string DefaultBaseModel(string backend) => backend switch
    {
        "simulated" => SimulatedBackend.BaseModelId,
        "local" => LocalBackend.BaseModelId,
        _ => throw Unknown(backend),
    };

    public static IModelBackend Create(RunConfig config, ScenarioCatalog catalog, string runDirectory) => config.Backend switch
    {
        "simulated" => new SimulatedBackend(catalog, new PromptReader(catalog, PromptTemplates.LoadOrDefault(config.Prompts)), SimulatedOptions.From(config.BackendOptions),
            Path.Combine(runDirectory, "models"), config.Seeds.Master),
        "local" => new LocalBackend(catalog, new PromptReader(catalog, PromptTemplates.LoadOrDefault(config.Prompts)),
            config.BackendOptions.TryGetValue("base_model_dir", out var dir) ? dir : LocalBackend.ShippedBaseModel,
            Path.Combine(runDirectory, "models"), Environment.ProcessorCount),
        _ => throw Unknown(config.Backend),
    };

    private static UsageException Unknown(string backend) =>
        new($"unknown backend '{backend}' (known: {string.Join(", ", Names)})");
}
