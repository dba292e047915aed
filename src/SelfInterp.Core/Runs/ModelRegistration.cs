namespace SelfInterp.Core.Runs;

/// <summary>
/// `selfinterp models set`: records models trained outside SelfInterp under the run's model keys, so the run uses
/// them instead of fine-tuning. A key already holding another model is refused: results made with one model must
/// never be mixed with another's under the same name.
/// </summary>
public static class ModelRegistration
{
    /// <param name="fineTunes">The run's fine-tune result keys and the key each starts from (instilled ← base, ...).</param>
    /// <param name="assignments">KEY=ID pairs as typed.</param>
    public static IReadOnlyList<(string Key, string Id)> Set(RunDirectory run, IReadOnlyDictionary<string, string> fineTunes, IEnumerable<string> assignments)
    {
        var parsed = new List<(string Key, string Id)>();
        foreach (var a in assignments)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0 || eq == a.Length - 1) throw new UsageException($"'{a}': expected KEY=MODEL_ID, e.g. instilled=my-org/qwen-instilled");
            string key = a[..eq].Trim(), id = a[(eq + 1)..].Trim();
            if (!fineTunes.ContainsKey(key))
                throw new UsageException($"'{a}': '{key}' is not a model this run fine-tunes (known: {string.Join(", ", fineTunes.Keys)})");
            if (parsed.Any(p => p.Key == key)) throw new UsageException($"'{a}': {key} is given twice");
            if (run.Manifest.Models.TryGetValue(key, out var m) && m.Id is { } old && old != id)
                throw new UsageException($"{run.ManifestPath}: field 'models.{key}.id' already holds '{old}'; results made with it would be mixed with '{id}' (start a new run directory instead)");
            parsed.Add((key, id));
        }
        if (parsed.Count == 0) throw new UsageException("give at least one KEY=MODEL_ID, e.g. instilled=my-org/qwen-instilled");
        run.Update(manifest =>
        {
            foreach (var (key, id) in parsed)
            {
                var record = manifest.Models.TryGetValue(key, out var r) ? r : new ModelRecord();
                record.Id = id;
                record.From = fineTunes[key];
                record.Registered = true;
                manifest.Models[key] = record;
            }
        });
        return parsed;
    }
}
