using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.WhiteBox;

/// <summary>What the lab measures on each run of an evaluation: fresh trials per scenario, of which report prompts
/// decoded, and draws of every null. Steering uses the lab's default strengths.</summary>
public sealed record LabSettings(int Trials = 20, int Reports = 5, int NullDraws = 20);

/// <summary>What a run's lab.json records: the settings it ran with, the organism's depth (which names the last hook)
/// and its cost.</summary>
public sealed record LabRecord(
    [property: JsonPropertyName("trials")] int Trials,
    [property: JsonPropertyName("reports")] int Reports,
    [property: JsonPropertyName("null_draws")] int NullDraws,
    [property: JsonPropertyName("steer")] double[] Steer,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("cpu_seconds")] double CpuSeconds)
{
    [JsonIgnore] public LabSettings Settings => new(Trials, Reports, NullDraws);
}

/// <summary>
/// The white-box lab on one run of an evaluation: held out (<c>itrained_first</c> and <c>itrained_last</c> on the
/// halves they never saw), with the untrained-body control; `probe` with its nulls and the read-out comparison, and
/// `intervene`'s steering. The lab's CSVs go to RUN/white_box/ (not RUN/analysis/, where `selfinterp probe` writes its
/// own), then lab.json, written last: a run with it is not measured again, so a resumed evaluation costs nothing for
/// the runs it has. The row is always built from the files read back, so a fresh and a cached result are the same bytes.
/// </summary>
public static class EvaluationLab
{
    public const string DirectoryName = "white_box", RecordFile = "lab.json";

    public static string DirectoryOf(string runDirectory) => Path.Combine(runDirectory, DirectoryName);

    public static bool IsMeasured(string runDirectory) => File.Exists(Path.Combine(DirectoryOf(runDirectory), RecordFile));

    /// <summary>The run's row of lab figures, measured now unless lab.json says it was (with the same settings: other
    /// settings are refused, naming the file, rather than mixed into one table or overwritten).</summary>
    public static (List<(string Column, double Value)> Measures, bool Cached) Measure(string runDirectory, LabSettings settings, int threads, Action<string> log)
    {
        if (IsMeasured(runDirectory))
        {
            var record = Read(runDirectory);
            if (record.Settings != settings)
                throw new UsageException($"{Path.Combine(DirectoryOf(runDirectory), RecordFile)}: the lab ran on this run with {Describe(record.Settings)}; " +
                                         $"this evaluation asks for {Describe(settings)}. Give the same settings, or remove {DirectoryOf(runDirectory)} to measure it again");
            return (Load(runDirectory), true);
        }
        var wall = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var run = LabRun.Open(runDirectory, "evaluate-organism --white-box", threads, heldOut: true).WithUntrainedBody();
        var probes = ProbeStudy.Run(run, new ProbeStudy.Settings(settings.Trials, settings.Reports, settings.NullDraws), log);
        var steering = new InterventionStudy.Settings(settings.Trials, settings.Reports);
        var interventions = InterventionStudy.Run(run, steering, log);
        string dir = DirectoryOf(runDirectory);
        Directory.CreateDirectory(dir);
        ProbeStudy.Write(Path.Combine(dir, ProbeStudy.FileName), probes.Probes);
        ReadoutStudy.Write(Path.Combine(dir, ReadoutStudy.FileName), probes.Readout);
        InterventionStudy.Write(Path.Combine(dir, InterventionStudy.FileName), interventions);
        var done = new LabRecord(settings.Trials, settings.Reports, settings.NullDraws, steering.Steer, run.Model("base").Model.Config.NLayers, threads,
            Math.Round(wall.Elapsed.TotalSeconds, 1), Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, 1));
        AtomicFile.WriteAllText(Path.Combine(dir, RecordFile), JsonSerializer.Serialize(done, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return (Load(runDirectory), false);
    }

    /// <summary>The row of a run the lab has measured (its lab.json and CSVs).</summary>
    public static List<(string Column, double Value)> Load(string runDirectory)
    {
        var record = Read(runDirectory);
        string dir = DirectoryOf(runDirectory);
        // The readers take a missing file for a study not run; here it is a lab cut short, not a lab without figures.
        foreach (var file in new[] { ProbeStudy.FileName, ReadoutStudy.FileName, InterventionStudy.FileName })
            if (!File.Exists(Path.Combine(dir, file)))
                throw new UsageException($"{Path.Combine(dir, file)}: missing beside {RecordFile}; remove {dir} to measure the run again");
        return WhiteBoxMeasures.From(record.Layers, WhiteBoxReport.ReadProbes(Path.Combine(dir, ProbeStudy.FileName)),
            ReadoutStudy.Read(Path.Combine(dir, ReadoutStudy.FileName)), WhiteBoxReport.ReadInterventions(Path.Combine(dir, InterventionStudy.FileName)),
            record.Seconds, record.CpuSeconds);
    }

    public static LabRecord Read(string runDirectory)
    {
        string path = Path.Combine(DirectoryOf(runDirectory), RecordFile);
        LabRecord? record;
        try { record = JsonSerializer.Deserialize<LabRecord>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new UsageException($"{path}: not a lab record ({e.Message}); remove {DirectoryOf(runDirectory)} to measure the run again"); }
        if (record is null || record.Layers < 1 || record.Trials < 1 || record.Steer is null)
            throw new UsageException($"{path}: field layers, trials or steer missing or not positive; remove {DirectoryOf(runDirectory)} to measure the run again");
        return record;
    }

    static string Describe(LabSettings s) => $"{s.Trials} trials, {s.Reports} reports, {s.NullDraws} null draws";
}
