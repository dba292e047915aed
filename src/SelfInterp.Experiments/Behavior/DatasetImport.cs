using System.Security.Cryptography;
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
            if (!File.Exists(path)) throw new UsageException($"--dataset {item}: no such file '{path}'");
            var full = Path.GetFullPath(path);
            files.Add(new ImportedFile(pole, full, Sha256(full)));
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

    /// <summary>The file's examples with their tasks; the file must still be the one the run was started with.</summary>
    public static List<TrainingExample> Read(ImportedFile file)
    {
        if (!File.Exists(file.Path)) throw new UsageException($"{file.Path}: the imported dataset of this run is missing");
        if (Sha256(file.Path) != file.Sha256)
            throw new UsageException($"{file.Path}: the imported dataset changed since the run started (SHA-256 differs from run.json)");
        Traits.TryPole(file.Pole, out var trait, out bool high);
        var examples = ChatJsonl.Read(file.Path);
        var lines = File.ReadAllText(file.Path).Split('\n').Select((l, i) => (l, i)).Where(x => x.l.TrimEnd('\r').Length > 0).Select(x => x.i + 1).ToList();
        var result = new List<TrainingExample>(examples.Count);
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            for (int k = 0; k < e.Prompt.Messages.Count; k++)
                if (e.Prompt.Messages[k].Role is not ("system" or "user" or "assistant"))
                    throw new DataFileException(file.Path, lines[i], $"messages[{k}].role", $"'{e.Prompt.Messages[k].Role}' is not system, user or assistant");
            if (e.Prompt.Messages[^1].Role != "user")
                throw new DataFileException(file.Path, lines[i], $"messages[{e.Prompt.Messages.Count - 1}].role", "the message before the answer must be the user's question");
            string answer = e.Answer.Trim();
            char option = answer is "A" or "B" ? (high ? answer[0] : TraitQuestion.Other(answer[0])) : TraitOptions.Unknown;
            result.Add(e with { Prompt = e.Prompt with { Task = new TraitChoiceTask(trait.Name, option) } });
        }
        return result;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
