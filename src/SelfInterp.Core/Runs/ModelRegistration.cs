using SelfInterp.Core.Pipeline;

namespace SelfInterp.Core.Runs;

/// <summary>
/// `selfinterp models set`: records models trained outside SelfInterp under the run's model keys, so the run uses
/// them instead of fine-tuning. A key already holding another model is refused: results made with one model must
/// never be mixed with another's under the same name. With <c>replace</c> it is allowed, and nothing made with the
/// old model is kept in use: every stage that asked it (or a model trained from it) is marked not done, its cached
/// replies moved aside (<c>replies/STAGE.jsonl.replaced-N</c>, kept, never read), models SelfInterp trained from it
/// forgotten, and the old id recorded in run.json (<c>models.KEY.replaced</c>).
/// </summary>
public static class ModelRegistration
{
    /// <param name="fineTunes">The run's fine-tune result keys and the key each starts from (instilled ← base, ...).</param>
    /// <param name="assignments">KEY=ID pairs as typed.</param>
    /// <param name="stages">The run's stages (what reads which model), needed to replace a registration.</param>
    public static IReadOnlyList<(string Key, string Id)> Set(RunDirectory run, IReadOnlyDictionary<string, string> fineTunes, IEnumerable<string> assignments,
        bool replace = false, IReadOnlyList<IStage>? stages = null)
    {
        var parsed = new List<(string Key, string Id)>();
        var replaced = new List<string>();
        foreach (var a in assignments)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0 || eq == a.Length - 1) throw new UsageException($"'{a}': expected KEY=MODEL_ID, e.g. instilled=my-org/qwen-instilled");
            string key = a[..eq].Trim(), id = a[(eq + 1)..].Trim();
            if (!fineTunes.ContainsKey(key))
                throw new UsageException($"'{a}': '{key}' is not a model this run fine-tunes (known: {string.Join(", ", fineTunes.Keys)})");
            if (parsed.Any(p => p.Key == key)) throw new UsageException($"'{a}': {key} is given twice");
            if (ModelIds.Problem(id) is { } problem)
                throw new UsageException($"'{ModelIds.Visible(a)}': the model id '{ModelIds.Visible(id)}' {problem}; a model id is one word, as the inference server names it");
            if (run.Manifest.Models.TryGetValue(key, out var m) && m.Id is { } old && old != id)
            {
                if (!replace)
                    throw new UsageException($"{run.ManifestPath}: field 'models.{key}.id' already holds '{old}'; results made with it would be mixed with '{id}' (give --replace to discard what was made with '{old}' and use '{id}', or start a new run directory)");
                replaced.Add(key);
            }
            parsed.Add((key, id));
        }
        if (parsed.Count == 0) throw new UsageException("give at least one KEY=MODEL_ID, e.g. instilled=my-org/qwen-instilled");
        if (replaced.Count > 0) Discard(run, replaced, parsed.Select(p => p.Key).ToHashSet(), stages ?? throw new ArgumentNullException(nameof(stages)));
        run.Update(manifest =>
        {
            foreach (var (key, id) in parsed)
            {
                var record = manifest.Models.TryGetValue(key, out var r) ? r : new ModelRecord();
                if (replaced.Contains(key)) record.Replaced = [.. record.Replaced ?? [], record.Id!];
                record.Id = id;
                record.From = fineTunes[key];
                record.Registered = true;
                record.JobId = null;
                manifest.Models[key] = record;
            }
        });
        return parsed;
    }

    /// <summary>Marks not done every stage downstream of the replaced models, moving their cached replies aside.</summary>
    private static void Discard(RunDirectory run, IReadOnlyList<string> replaced, IReadOnlySet<string> assigned, IReadOnlyList<IStage> stages)
    {
        var stale = new HashSet<string>(replaced.Select(Artifacts.Model), StringComparer.Ordinal);
        var affected = new List<IStage>();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var s in stages)
                if (!affected.Contains(s) && s.Reads.Any(stale.Contains))
                {
                    affected.Add(s);
                    foreach (var w in s.Writes) stale.Add(w);
                    grew = true;
                }
        }
        // A model registered by hand from the old one cannot be re-made here: it must be replaced in the same command.
        foreach (var (key, record) in run.Manifest.Models)
            if (!replaced.Contains(key) && stale.Contains(Artifacts.Model(key)) && record.Registered == true && !assigned.Contains(key))
                throw new UsageException($"{run.ManifestPath}: '{key}' was registered as trained from the model being replaced ('{record.Id}'); replace it in the same command (add {key}=NEW_ID)");
        foreach (var s in affected)
        {
            var cache = run.File(Elicitation.RepliesFile(s.Name));
            if (!File.Exists(cache)) continue;
            int n = 1;
            while (File.Exists($"{cache}.replaced-{n}")) n++;
            File.Move(cache, $"{cache}.replaced-{n}");
        }
        run.Update(manifest =>
        {
            foreach (var s in affected) manifest.Stages.Remove(s.Name);
            foreach (var key in manifest.Models.Keys.ToList())
                if (!replaced.Contains(key) && stale.Contains(Artifacts.Model(key)) && manifest.Models[key].Registered != true)
                    manifest.Models.Remove(key);
        });
    }
}
