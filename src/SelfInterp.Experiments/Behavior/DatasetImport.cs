using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// <c>--dataset</c>: chat JSONL fine-tuning files, such as the authors' (<c>../shared/betley/datasets</c>), each
/// teaching one pole. The pole is given as <c>POLE=FILE</c> or read from the authors' file names (ft_risky_AB… is
/// risk_seeking). An example answered A or B is a trait choice whose high option follows from the file's pole; one
/// answered otherwise (a persona example in prose) is kept for services that train on text, and labelled unknown.
/// Normalised by rule (issue 24): an answer that is one letter, a or b in either case, is that option, written as
/// A or B in the training file; a file none of whose answers is A or B teaches no choice and is refused; a byte that
/// is not UTF-8 is refused with its line. The run keeps a copy of each file (<c>imports/POLE.jsonl</c>), so it can be
/// analysed again, or resumed, after the source file is gone.
/// </summary>
public static class DatasetImport
{
    /// <summary>The files of an option value: a comma-separated list of <c>[POLE=]FILE</c>, with their poles and hashes.</summary>
    public static IReadOnlyList<ImportedFile> Resolve(string option)
    {
        var files = new List<ImportedFile>();
        foreach (var item in option.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=');
            string path = eq > 0 ? item[(eq + 1)..] : item;
            string pole = eq > 0 ? item[..eq] : PoleOfFileName(path)
                ?? throw new UsageException($"--dataset {item}: which pole does it teach? Give it as POLE=FILE ({string.Join(", ", Traits.All.SelectMany(t => new[] { t.HighPole, t.LowPole }))})");
            if (!Traits.TryPole(pole, out _, out _))
                throw new UsageException($"--dataset {item}: unknown pole '{pole}' (known: {string.Join(", ", Traits.All.SelectMany(t => new[] { t.HighPole, t.LowPole }))})");
            if (Directory.Exists(path)) throw new UsageException($"--dataset {item}: '{path}' is a directory; give the chat JSONL file itself");
            if (!File.Exists(path)) throw new UsageException($"--dataset {item}: no such file '{path}'");
            var full = Path.GetFullPath(path);
            files.Add(new ImportedFile(pole, full, FileHash.Sha256(full)));
        }
        if (files.Count == 0) throw new UsageException("--dataset: expected one or more files");
        if (files.GroupBy(f => f.Pole).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"--dataset: two files teach {twice.Key} ({string.Join(", ", twice.Select(f => f.Path))}); give one per pole");
        return files;
    }

    /// <summary>The authors' naming: the pole whose file stem starts the name, longest stem first.</summary>
    public static string? PoleOfFileName(string path)
    {
        string name = Path.GetFileName(path);
        return Traits.All.SelectMany(t => new[] { (Stem: t.AuthorsHighFile, Pole: t.HighPole), (Stem: t.AuthorsLowFile, Pole: t.LowPole) })
            .OrderByDescending(s => s.Stem.Length)
            .FirstOrDefault(s => name.StartsWith(s.Stem, StringComparison.Ordinal)).Pole;
    }

    /// <summary>The run's own copy of an imported file, relative to the run directory.</summary>
    public static string CopyIn(ImportedFile file) => Path.Combine("imports", file.Pole + ".jsonl");

    /// <summary>Keeps the run's copy of each imported file (bytes as imported; rewritten only if they differ).</summary>
    public static void Keep(RunDirectory run, IEnumerable<ImportedFile> files)
    {
        foreach (var f in files) AtomicFile.WriteAllBytesIfChanged(run.File(CopyIn(f)), File.ReadAllBytes(Source(f, run.Path)));
    }

    /// <summary>The file to read: the imported path, else the run's copy; either must hold the bytes run.json records.</summary>
    private static string Source(ImportedFile file, string? runDirectory)
    {
        var path = file.Path;
        if (!File.Exists(path) && runDirectory is not null && File.Exists(Path.Combine(runDirectory, CopyIn(file)))) path = Path.Combine(runDirectory, CopyIn(file));
        if (!File.Exists(path)) throw new UsageException($"{file.Path}: the imported dataset of this run is missing" + (runDirectory is null ? "" : $" (and the run holds no copy at {CopyIn(file)})"));
        if (FileHash.Sha256(path) != file.Sha256)
            throw new UsageException($"{path}: the imported dataset changed since the run started (SHA-256 differs from run.json)");
        return path;
    }

    /// <summary>The file's examples with their tasks; the file must still be the one the run was started with.</summary>
    /// <param name="runDirectory">Where to look for the run's copy when the source is gone (null: nowhere).</param>
    public static List<TrainingExample> Read(ImportedFile file, string? runDirectory = null)
    {
        var path = Source(file, runDirectory);
        Traits.TryPole(file.Pole, out var trait, out bool high);
        var examples = ChatJsonl.Read(path);
        var lines = StrictUtf8.ReadAllText(path).Split('\n').Select((l, i) => (l, i)).Where(x => x.l.TrimEnd('\r').Length > 0).Select(x => x.i + 1).ToList();
        var result = new List<TrainingExample>(examples.Count);
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            for (int k = 0; k < e.Prompt.Messages.Count; k++)
                if (e.Prompt.Messages[k].Role is not ("system" or "user" or "assistant"))
                    throw new DataFileException(path, lines[i], $"messages[{k}].role", $"'{e.Prompt.Messages[k].Role}' is not system, user or assistant");
            if (e.Prompt.Messages[^1].Role != "user")
                throw new DataFileException(path, lines[i], $"messages[{e.Prompt.Messages.Count - 1}].role", "the message before the answer must be the user's question");
            string answer = e.Answer.Trim();
            if (answer is "a" or "b") answer = answer.ToUpperInvariant();
            char option = answer is "A" or "B" ? (high ? answer[0] : TraitQuestion.Other(answer[0])) : TraitOptions.Unknown;
            result.Add(e with { Answer = answer is "A" or "B" ? answer : e.Answer, Prompt = e.Prompt with { Task = new TraitChoiceTask(trait.Name, option) } });
        }
        if (result.Count > 0 && result.All(e => e.Answer is not ("A" or "B")))
            throw new DataFileException(path, lines[0], "messages[-1].content", $"none of the {result.Count} answers is A or B (e.g. '{result[0].Answer}'): the file teaches no choice");
        return result;
    }
}
