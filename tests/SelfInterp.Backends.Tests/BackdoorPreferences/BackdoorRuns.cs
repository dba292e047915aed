using System.Text.Json.Nodes;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Backdoor;

namespace SelfInterp.Backends.Tests.BackdoorPreferences;

/// <summary>Backdoor runs on the simulated backend, for the tests.</summary>
public static class BackdoorRuns
{
    public static RunConfig Config(string preset, bool readsState = true, ulong seed = 1, Dictionary<string, string>? options = null,
        Func<JsonObject, JsonObject>? sizes = null)
    {
        var settings = new BackdoorExperiment().Settings(preset, options ?? []);
        return new RunConfig
        {
            Experiment = BackdoorExperiment.ExperimentName, Preset = preset, Backend = "simulated", BaseModel = SimulatedBackend.BaseModelId,
            Seeds = Seeds.FromMaster(seed), Settings = sizes?.Invoke(settings) ?? settings,
            BackendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["reports_read_state"] = readsState ? "true" : "false" },
        };
    }

    /// <summary>A small run: 6 instilled scenarios, 60 training examples each.</summary>
    public static RunConfig Small(Dictionary<string, string>? options = null) => Config("quick", options: options, sizes: s =>
    {
        s["instilled"] = 6; s["native"] = 2; s["examples"] = 60; s["validation"] = 3; s["selections"] = 20; s["reports"] = 3;
        return s;
    });

    public static Task<RunDirectory> Run(string dir, RunConfig config, Func<IModelBackend, IModelBackend>? wrap = null) =>
        SimulatedPipelineTests.Run(dir, config, wrap);
}
