namespace SelfInterp.Core.Pipeline;

/// <summary>
/// An experiment's stages in run order, checked as a graph: every artifact a stage reads is an input of the run
/// (the base model, the datasets the experiment writes before the stages) or written by an earlier stage, and no
/// artifact is written twice. Resume asks each stage by name; the power analysis asks which stages produce what.
/// </summary>
public sealed class StageGraph
{
    public IReadOnlyList<IStage> Stages { get; }
    private readonly Dictionary<string, IStage> _writer = new(StringComparer.Ordinal);

    /// <param name="inputs">Artifacts present before any stage runs.</param>
    public StageGraph(IEnumerable<string> inputs, IEnumerable<IStage> stages)
    {
        Stages = stages.ToList();
        var known = new HashSet<string>(inputs, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in Stages)
        {
            if (!names.Add(stage.Name)) throw new InvalidOperationException($"stage graph: two stages named '{stage.Name}'");
            foreach (var read in stage.Reads)
                if (!known.Contains(read))
                    throw new InvalidOperationException($"stage graph: stage '{stage.Name}' reads '{read}', which no earlier stage writes");
            foreach (var written in stage.Writes)
            {
                if (!_writer.TryAdd(written, stage) || !known.Add(written))
                    throw new InvalidOperationException($"stage graph: '{written}' is written twice (stage '{stage.Name}')");
            }
        }
    }

    /// <summary>The stages that write <paramref name="artifacts"/>, with every stage they depend on, in run order.</summary>
    public IReadOnlyList<IStage> Producing(IEnumerable<string> artifacts)
    {
        var needed = new HashSet<IStage>();
        var todo = new Stack<string>(artifacts);
        while (todo.Count > 0)
        {
            var a = todo.Pop();
            if (!_writer.TryGetValue(a, out var stage) || !needed.Add(stage)) continue;
            foreach (var read in stage.Reads) todo.Push(read);
        }
        return Stages.Where(needed.Contains).ToList();
    }

    /// <summary>Every artifact some stage writes that satisfies <paramref name="match"/>, in run order.</summary>
    public IReadOnlyList<string> Outputs(Func<string, bool> match) =>
        Stages.SelectMany(s => s.Writes).Where(match).ToList();
}
