using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// `evaluate-organism --archive-to`: an evaluation without its models and raw replies, small enough to keep in the
/// repository, that `--tabulate` reads like the evaluation itself and that `evaluate-organism --out` resumes. Kept: every
/// table at the top; of each finished pretraining, everything but its weights and tokenizer; of each run with a row in
/// evaluation.csv (and its sham and cross-prediction runs), run.json and its directories but models/ and replies/. What is
/// left out is listed, with its size and SHA-256, in the directory's archived.json, so a re-run can be checked byte for
/// byte against it. A resumed evaluation keeps an archived run's row as evaluation.csv has it and runs nothing for it
/// (its raw files are gone); the white-box lab and held-out family read their cached records as for any run.
/// </summary>
public static class EvaluationArchive
{
    public const string MarkFile = "archived.json";

    /// <summary>Left out of a pretraining directory: the weights and tokenizer (megabytes, re-made byte for byte by the seed).</summary>
    static readonly string[] DroppedFromPretraining = ["model.safetensors", "tokenizer.json"];
    /// <summary>Left out of a run directory: its models and raw replies, the bulk of it. It keeps run.json and its other
    /// directories: analysis/ and the records the measures cache (white_box/, held_out_family/), which the tables read.</summary>
    static readonly string[] DroppedRunDirectories = ["models", "replies"];

    public static bool IsArchived(string directory) => File.Exists(Path.Combine(directory, MarkFile));

    /// <summary>Copies what the archive keeps of <paramref name="evaluationDirectory"/> into <paramref name="archiveDirectory"/>
    /// (created or updated). Refused, before anything is written, if the archive holds a run the evaluation has no row for:
    /// its row would be lost with the evaluation.csv the archive receives.</summary>
    public static ArchiveSummary Write(string evaluationDirectory, string archiveDirectory, IReadOnlyList<RequiredRecord> required, Action<string> log)
    {
        string source = Path.GetFullPath(evaluationDirectory), target = Path.GetFullPath(archiveDirectory);
        if (source == target) throw new UsageException($"--archive-to {archiveDirectory}: is the evaluation itself; give another directory");
        string csv = Path.Combine(source, EvaluationTables.RowsFile);
        if (!File.Exists(csv)) throw new UsageException($"{csv}: no such file: no finished run to archive");
        var rows = EvaluationRow.ReadAll(csv);
        string archivedCsv = Path.Combine(target, EvaluationTables.RowsFile);
        if (File.Exists(archivedCsv))
        {
            var lost = EvaluationRow.ReadAll(archivedCsv).Where(a => !rows.Any(r => r.Organism == a.Organism && r.RunSeed == a.RunSeed)).ToList();
            if (lost.Count > 0)
                throw new UsageException($"{archiveDirectory} holds runs {source} has no row for ({Runs(lost)}): archiving would drop them. " +
                                         "Resume the evaluation from a copy of the archive first");
        }

        // The tables first: a run whose directory is not (yet) in the archive is run again on resuming, with its row replaced.
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            string destination = Path.Combine(target, Path.GetFileName(file)), partial = destination + ".partial";
            File.Copy(file, partial, overwrite: true);
            File.Move(partial, destination, overwrite: true);
        }

        int pretrainings = 0, updated = 0;
        long dropped = 0;
        void Add(long bytes) { if (bytes >= 0) { updated++; dropped += bytes; } }
        foreach (var status in PretrainStatus.Scan(source))
        {
            if (status.Outcome == PretrainOutcome.Incomplete) { log($"{Path.GetFileName(status.Directory)}: not finished, not archived"); continue; }
            Add(Archive(status.Directory, Path.Combine(target, Path.GetFileName(status.Directory)), keep: rel => !DroppedFromPretraining.Contains(rel)));
            pretrainings++;
        }
        string runsDir = Path.Combine(source, "runs");
        var all = Directory.Exists(runsDir) ? Directory.GetDirectories(runsDir).Order(StringComparer.Ordinal).ToList() : [];
        var archived = new HashSet<string>();
        foreach (var row in rows)
        {
            string main = OrganismEvaluator.RunDirectoryOf(source, row.Organism, row.RunSeed);
            if (required.FirstOrDefault(r => r.IsMissing(main, row.RunSeed)) is { } missing) { log($"{Path.GetFileName(main)}: no {missing.RelativePath} yet, not archived"); continue; }
            foreach (var dir in all.Where(d => d == main || d.StartsWith(main + ShamItraining.DirectoryInfix, StringComparison.Ordinal) || d == main + CrossPredictionColumns.DirectorySuffix))
            {
                Add(Archive(dir, Path.Combine(target, "runs", Path.GetFileName(dir)), KeptInRun));
                archived.Add(dir);
            }
        }
        int unfinished = all.Count(d => !archived.Contains(d));
        if (unfinished > 0) log($"{unfinished} run director{(unfinished == 1 ? "y" : "ies")} not finished: not archived");
        return new ArchiveSummary(rows.Count, archived.Count, pretrainings, updated, dropped);
    }

    /// <summary>Refuses, before anything is written, an evaluation of <paramref name="evaluationDirectory"/> that leaves out a
    /// run it holds archived (e.g. resumed with fewer pretraining seeds): that run's row in evaluation.csv is all that is left
    /// of it, its raw files gone, and the tables this evaluation writes would drop it for good.</summary>
    public static void RefuseDroppingArchivedRows(string evaluationDirectory, IReadOnlyList<EvaluationRow> previous, IReadOnlySet<string> organisms, IReadOnlyList<ulong> runSeeds)
    {
        var lost = previous.Where(r => !(organisms.Contains(r.Organism) && runSeeds.Contains(r.RunSeed))
                                       && IsArchived(OrganismEvaluator.RunDirectoryOf(evaluationDirectory, r.Organism, r.RunSeed))).ToList();
        if (lost.Count > 0)
            throw new UsageException($"{Path.Combine(evaluationDirectory, EvaluationTables.RowsFile)}: holds archived runs this evaluation leaves out ({Runs(lost)}): " +
                                     "their rows are all that is left of them, and the tables it writes would drop them. Give their pretraining seeds (or organisms) and run seeds too");
    }

    static string Runs(IReadOnlyList<EvaluationRow> rows) =>
        string.Join(", ", rows.Take(5).Select(r => $"{r.Organism} run seed {I(r.RunSeed)}")) + (rows.Count > 5 ? $", … {rows.Count} in all" : "");

    static bool KeptInRun(string relative) =>
        relative == RunDirectory.ManifestFile || (relative.Contains('/') && !DroppedRunDirectories.Any(d => relative.StartsWith(d + "/", StringComparison.Ordinal)));

    /// <summary>Copies the kept files of one directory and lists the others in its archived.json; a directory archived
    /// before keeps its list (its left-out files are already gone). Returns the bytes left out, or -1 if the archive already
    /// held the directory as it is now, which is then left as it is (not hashed again). The directory is made
    /// beside its place and moved in whole, so an archive read (or committed) meanwhile never holds a run half copied.</summary>
    static long Archive(string from, string to, Func<string, bool> keep)
    {
        var files = Directory.GetFiles(from, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(from, f).Replace('\\', '/')))
            .Where(f => f.Relative is not (MarkFile or "run.lock"))
            .OrderBy(f => f.Relative, StringComparer.Ordinal).ToList();
        var kept = files.Where(f => keep(f.Relative)).ToList();
        string sourceMark = Path.Combine(from, MarkFile);
        if (UpToDate(to, kept, File.Exists(sourceMark) ? sourceMark : null)) return -1;

        string partial = to + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        foreach (var (full, relative) in kept)
        {
            string destination = Path.Combine(partial, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(full, destination);
        }
        long bytes = 0;
        if (File.Exists(sourceMark)) File.Copy(sourceMark, Path.Combine(partial, MarkFile));
        else
        {
            var left = new JsonArray();
            foreach (var (full, relative) in files.Where(f => !keep(f.Relative)))
            {
                long size = new FileInfo(full).Length;
                bytes += size;
                left.Add(new JsonObject { ["path"] = relative, ["bytes"] = size, ["sha256"] = FileHash.Sha256(full) });
            }
            var record = new JsonObject
            {
                ["note"] = "Archived by `selfinterp evaluate-organism --archive-to`: these files were left out. The same seeds re-make them byte for byte; a resumed evaluation keeps this run's row as evaluation.csv has it.",
                ["left_out"] = left,
            };
            File.WriteAllText(Path.Combine(partial, MarkFile), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.Move(partial, to);
        return bytes;
    }

    /// <summary>Whether <paramref name="to"/> is already this directory's archive: marked, holding exactly the kept files
    /// with the same bytes (and the same mark, if the source was itself archived).</summary>
    static bool UpToDate(string to, IReadOnlyList<(string Full, string Relative)> kept, string? sourceMark)
    {
        string mark = Path.Combine(to, MarkFile);
        if (!File.Exists(mark)) return false;
        if (sourceMark is not null && !File.ReadAllBytes(sourceMark).AsSpan().SequenceEqual(File.ReadAllBytes(mark))) return false;
        int present = Directory.GetFiles(to, "*", SearchOption.AllDirectories).Length - 1;
        return present == kept.Count && kept.All(f => Path.Combine(to, f.Relative) is var t && File.Exists(t)
                                                      && File.ReadAllBytes(f.Full).AsSpan().SequenceEqual(File.ReadAllBytes(t)));
    }

    /// <summary>Moves the files <paramref name="directory"/>'s archived.json lists from <paramref name="remade"/> (the same
    /// directory made again) into it and removes the mark, after checking every one against its recorded SHA-256; a file
    /// that differs is refused with both hashes, and nothing is moved.</summary>
    public static void PutBack(string directory, string remade)
    {
        string mark = Path.Combine(directory, MarkFile);
        var left = JsonNode.Parse(File.ReadAllText(mark))?["left_out"]?.AsArray()
                   ?? throw new DataFileException(mark, 1, "left_out", "missing: not an archive's record");
        var files = left.Select(e => (Path: (string?)e?["path"] ?? throw new DataFileException(mark, 1, "left_out[].path", "missing"),
                                      Sha256: (string?)e?["sha256"] ?? throw new DataFileException(mark, 1, "left_out[].sha256", "missing"))).ToList();
        foreach (var (relative, sha) in files)
        {
            string made = Path.Combine(remade, relative);
            if (!File.Exists(made)) throw new UsageException($"{remade}: made again without {relative}, which {mark} lists");
            if (FileHash.Sha256(made) is var actual && actual != sha)
                throw new UsageException($"{made}: SHA-256 {actual}, but {mark} records {sha} for it: made again, it is not the archived run's (another engine or recipe?)");
        }
        foreach (var (relative, _) in files)
        {
            string destination = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(Path.Combine(remade, relative), destination, overwrite: true);
        }
        File.Delete(mark);
    }

    /// <summary>The row an archived run keeps on resuming: the one <paramref name="previous"/> (the evaluation.csv found
    /// on starting) holds for it, with the sham and cross-prediction columns this evaluation asks for and no others.</summary>
    public static EvaluationRow KeptRow(string runDirectory, IReadOnlyList<EvaluationRow> previous, string organism, ulong runSeed, IReadOnlyList<string> shams, bool crossPrediction)
    {
        var row = previous.FirstOrDefault(r => r.Organism == organism && r.RunSeed == runSeed)
                  ?? throw new UsageException($"{runDirectory}: archived (its models and replies left out, {MarkFile}), but evaluation.csv has no row for {organism} run seed {I(runSeed)}: " +
                                              "the run cannot be read again. Remove the directory to run it from the start");
        var columns = row.Measures.Select(m => m.Column).ToHashSet();
        var had = ShamItraining.Kinds.Where(k => columns.Contains(ShamItraining.Column(k, "itraining_effect_paired"))).ToList();
        if (!had.Order().SequenceEqual(shams.Order()) || columns.Contains(CrossPredictionColumns.SelfMinusCross) != crossPrediction)
            throw new UsageException($"{runDirectory}: archived with {Describe(had, columns.Contains(CrossPredictionColumns.SelfMinusCross))}; this evaluation asks for {Describe(shams, crossPrediction)}. " +
                                     "An archived run cannot be run again: give the options it was run with");
        return row;
    }

    static string Describe(IReadOnlyList<string> shams, bool cross) =>
        (shams.Count == 0 ? "no sham" : string.Join(" ", shams.Select(s => "--sham " + s))) + (cross ? " and --cross-prediction" : " and no cross-prediction");

    static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A record a run must have before it is archived, beyond its row (e.g. white_box/lab.json, at the lab's run seeds;
/// null: every run seed): a run archived without it could never be measured later, its models being left out.</summary>
public sealed record RequiredRecord(string RelativePath, IReadOnlyList<ulong>? RunSeeds = null)
{
    public bool IsMissing(string runDirectory, ulong runSeed) =>
        (RunSeeds is null || RunSeeds.Contains(runSeed)) && !File.Exists(Path.Combine(runDirectory, RelativePath));
}

/// <summary>What an archive holds of the evaluation (rows of evaluation.csv, run directories, pretrainings), how many of
/// those directories this archiving wrote (the others it held as they are), and the bytes it left out of them.</summary>
public sealed record ArchiveSummary(int Rows, int RunDirectories, int Pretrainings, int Updated, long BytesLeftOut);
