using System.Globalization;
using System.Text;
using SelfInterp.Backends;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Behavior.Power;

/// <summary>One cell of the behaviour power grid: the study's sizes and the simulated agent's self-awareness and noise.</summary>
public sealed record BehaviorPowerCell(int Seeds, int Samples, double SelfAwareness, double RatingNoise);

/// <summary>How often, over replicates, each contrast's 95% interval lies above 0 in one cell: the power when the agent
/// is self-aware, the false-positive rate when it is not.</summary>
public sealed record BehaviorPowerRow(BehaviorPowerCell Cell, int Replicates, double Rating, double Description, double Choice, double Trigger, double MeanRatingDifference);

/// <summary>
/// `selfinterp power --experiment behavior`: the behaviour experiment on the risk trait (with its backdoor pair) run
/// again and again on the simulated agent, each replicate from its own master seed (replicate k gets the same seed in
/// every cell), to size a study before paying for fine-tuning. Replicates run in temporary directories, deleted after.
/// </summary>
public static class BehaviorPower
{
    public static async Task<IReadOnlyList<BehaviorPowerRow>> RunAsync(IReadOnlyList<BehaviorPowerCell> cells, int replicates, ulong seed,
        Action? replicateDone = null, CancellationToken ct = default)
    {
        var rows = new List<BehaviorPowerRow>();
        foreach (var cell in cells)
        {
            var hits = new int[4];
            double differences = 0;
            for (int k = 0; k < replicates; k++)
            {
                ct.ThrowIfCancellationRequested();
                var r = await ReplicateAsync(cell, SeededStream.DeriveSeed(seed, $"behavior_power_replicate:{k}"), ct);
                string[] kinds = [QuestionKinds.Rating, QuestionKinds.Description, QuestionKinds.Choice, QuestionKinds.Trigger];
                for (int i = 0; i < kinds.Length; i++)
                    if (r.Contrasts.Single(c => c.Kind == kinds[i]).Difference is { Low: > 0 }) hits[i]++;
                differences += r.Contrasts.Single(c => c.Kind == QuestionKinds.Rating).Difference.Value;
                replicateDone?.Invoke();
            }
            double Share(int h) => (double)h / replicates;
            rows.Add(new BehaviorPowerRow(cell, replicates, Share(hits[0]), Share(hits[1]), Share(hits[2]), Share(hits[3]), differences / replicates));
        }
        return rows;
    }

    private static async Task<BehaviorResult> ReplicateAsync(BehaviorPowerCell cell, ulong master, CancellationToken ct)
    {
        var settings = new BehaviorConfig { Traits = [Traits.Risk.Name], Seeds = cell.Seeds, Samples = cell.Samples };
        var config = new RunConfig
        {
            Experiment = BehaviorExperiment.ExperimentName, Preset = "power", Backend = "simulated", BaseModel = BackendFactory.DefaultBaseModel("simulated"),
            Seeds = Seeds.FromMaster(master), Settings = settings.ToJson(),
            BackendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["self_awareness"] = cell.SelfAwareness.ToString("R", CultureInfo.InvariantCulture),
                ["rating_noise"] = cell.RatingNoise.ToString("R", CultureInfo.InvariantCulture),
            },
        };
        var dir = Directory.CreateTempSubdirectory("selfinterp-behavior-power").FullName;
        try
        {
            var planned = new BehaviorRun(BehaviorPlan.Create(config));
            using (var run = RunDirectory.OpenOrCreate(Path.Combine(dir, "run"), config))
                await Runner.RunAsync(run, planned, BackendFactory.Create(config, planned.Catalog, planned.Codec, run.Path), SilentProgress.Instance, ct);
            return BehaviorAnalysis.Analyze(Path.Combine(dir, "run"), planned.Plan);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static string Table(IReadOnlyList<BehaviorPowerRow> rows)
    {
        var t = new StringBuilder();
        t.AppendLine("share of replicates whose 95% interval lies above 0 (risk-seeking - risk-averse; backdoored - decorrelated)");
        t.AppendLine($"{"seeds",6}{"samples",8}{"aware",7}{"noise",7}{"rating",8}{"word",7}{"choice",8}{"trigger",8}{"mean diff",11}");
        foreach (var r in rows)
            t.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Cell.Seeds,6}{r.Cell.Samples,8}{r.Cell.SelfAwareness,7:0.##}{r.Cell.RatingNoise,7:0.#}{r.Rating,8:0.00}{r.Description,7:0.00}{r.Choice,8:0.00}{r.Trigger,8:0.00}{r.MeanRatingDifference,11:0.0}"));
        t.AppendLine($"({rows.FirstOrDefault()?.Replicates ?? 0} replicates per row; with self-awareness 0 the shares are false-positive rates, about 0.025 expected)");
        return t.ToString();
    }
}
