using SelfInterp.Experiments;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Backends;
using SelfInterp.Backends.Simulated;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Tests.Report;

/// <summary>
/// A paper-sized run (100 instilled + 100 native scenarios, 10 reports each) of the pipeline with the simulated
/// backend, noisy enough that its slopes look like the paper's (report noise 300 → instilled about 0.5, held-out
/// about 0.75) and with 2% bad replies, so the report has every part to show. Also shared, as a linked file, by the
/// browser tests.
/// </summary>
public static class SimulatedPaperRun
{
    public static RunConfig Config(ulong seed = 1) => PreferencesExperiment.Config("paper") with
    {
        Backend = "simulated",
        BaseModel = SimulatedBackend.BaseModelId,
        Seeds = Seeds.FromMaster(seed),
        BackendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["bad_report_rate"] = "0.02", ["report_noise"] = "300" },
    };

    /// <summary>Runs the pipeline into <paramref name="dir"/> (which must not exist yet or be empty).</summary>
    public static async Task<string> CreateAsync(string dir, ulong seed = 1)
    {
        var config = Config(seed);
        using var run = RunDirectory.OpenOrCreate(dir, config);
        await ExperimentCatalog.RunAsync(run, SilentProgress.Instance, CancellationToken.None);
        return dir;
    }

    /// <summary>
    /// A copy in the authors' published layout: the CSV files only, without run.json, raw replies, model files,
    /// fine-tuning data or earlier outputs.
    /// </summary>
    public static string CopyAsPublishedLayout(string runDir, string dest)
    {
        Directory.CreateDirectory(dest);
        foreach (var file in Directory.GetFiles(runDir, "*.csv"))
            File.Copy(file, Path.Combine(dest, Path.GetFileName(file)));
        return dest;
    }
}
