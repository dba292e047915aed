using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Behavior;

namespace SelfInterp.Backends.Tests.Behavior;

/// <summary>Small behaviour runs on the simulated agent, for the tests.</summary>
public static class BehaviorRuns
{
    public static BehaviorConfig Small => new() { Seeds = 2, Examples = 40, Validation = 6, HeldOut = 20, Samples = 4 };

    public static RunConfig Config(BehaviorConfig? settings = null, ulong seed = 1, params (string Key, string Value)[] options) => new()
    {
        Experiment = BehaviorExperiment.ExperimentName, Preset = "test", Backend = "simulated", BaseModel = SimulatedBackend.BaseModelId,
        Seeds = Seeds.FromMaster(seed), Settings = (settings ?? Small).ToJson(),
        BackendOptions = new SortedDictionary<string, string>(options.ToDictionary(o => o.Key, o => o.Value), StringComparer.Ordinal),
    };

    public static Task<RunDirectory> Run(string dir, RunConfig config, Func<IModelBackend, IModelBackend>? wrap = null) =>
        SimulatedPipelineTests.Run(dir, config, wrap);

    public static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("run.json" or "run.lock"))
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    public static string NewDirectory(string label) => Path.Combine(Directory.CreateTempSubdirectory(label).FullName, "run");

    /// <summary>The repository's ../shared/betley/datasets (absent: the test fails, loudly).</summary>
    public static string AuthorsDatasets()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SelfInterp.slnx")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "../shared/betley/datasets"));
                Assert.True(Directory.Exists(path), $"the authors' datasets are missing: {path} (CI keeps ../shared beside the clone)");
                return path;
            }
        throw new InvalidOperationException($"no SelfInterp.slnx above {AppContext.BaseDirectory}");
    }
}
