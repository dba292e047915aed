using SelfInterp.Organisms;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>One reverse fine-tuning: a model trained on examples of a behaviour it has lost (or never had), with the
/// behaviour measured at a schedule of optimizer steps. <see cref="Behaviour"/> maps an organism to its per-scenario
/// weights (choice weights or reported weights), compared with the original model's. With <see cref="Replay"/> above 0,
/// each batch also rehearses that many examples drawn by <see cref="Rehearsal"/> (introspection training's pretraining reports).</summary>
public sealed record Reversal(
    OrganismFineTuning Tuning,
    IReadOnlyList<(int[] Prompt, int[] Answer)> Examples,
    Func<Organism, Dictionary<int, double[]>> Behaviour,
    int Replay = 0,
    Func<Organism, SeededStream, ReportReplay>? Rehearsal = null)
{
    /// <summary>The behaviour of a copy of <paramref name="start"/> before each of <paramref name="steps"/> (see <see cref="Train"/>).</summary>
    public SortedDictionary<int, Dictionary<int, double[]>> Curve(Organism start, IReadOnlyList<int> steps, string name, ulong seed, Action<string>? log = null)
    {
        var curve = new SortedDictionary<int, Dictionary<int, double[]>>();
        Train(start, steps, name, seed, (step, organism) =>
        {
            curve[step] = Behaviour(organism);
            log?.Invoke($"reverse fine-tuning {name}: step {step} measured");
        });
        return curve;
    }

    /// <summary>Fine-tunes a copy of <paramref name="start"/> (the start itself is left as it is) for the last step of
    /// <paramref name="steps"/>, calling <paramref name="at"/> before each listed step (and after the last), and returns
    /// the copy. Examples are reshuffled each epoch from the stream "whitebox:reverse:{name}"; rehearsal draws from
    /// "whitebox:reverse_replay:{name}". The same name gives the same batches, so a treated model and its control see
    /// identical data. The learning rate warms up and decays over the schedule's last step as the run's jobs do over theirs.</summary>
    public Organism Train(Organism start, IReadOnlyList<int> steps, string name, ulong seed, Action<int, Organism>? at = null)
    {
        if (Examples.Count == 0) throw new InvalidOperationException($"reverse fine-tuning {name}: no training examples");
        var organism = Copy(start);
        var examples = Examples.ToList();
        int total = steps.Max(), stepsPerEpoch = (examples.Count + Tuning.Batch - 1) / Tuning.Batch;
        var trainer = Tuning.Prepare(organism, examples.Select(x => x.Prompt), stepsPerEpoch, Math.Max(total, 1), seed, "reverse:" + name);
        var rng = new SeededStream("whitebox:reverse:" + name, seed);
        var rehearsal = Replay > 0 && Rehearsal is not null ? Rehearsal(organism, new SeededStream("whitebox:reverse_replay:" + name, seed)) : null;
        for (int step = 0; ; )
        {
            rng.Shuffle(examples);
            for (int from = 0; from < examples.Count; from += Tuning.Batch)
            {
                if (steps.Contains(step)) at?.Invoke(step, organism);
                if (step == total) return organism;
                var slice = examples.Skip(from).Take(Tuning.Batch).Select(x => (x.Prompt, x.Answer, Targets: x.Answer)).ToList();
                if (rehearsal is not null) slice.AddRange(rehearsal.Draw(Replay));
                trainer.Step(Batch.FromPromptCompletions(slice, organism.Percept.ValueFormatSets));
                step++;
            }
        }
    }

    /// <summary>A separate copy of an organism's weights (same recipe and perception).</summary>
    public static Organism Copy(Organism organism)
    {
        var model = new Model(organism.Model.Config, new ModelOptions { Threads = organism.Model.Threads, Gemm = organism.Model.Gemm });
        organism.Model.Parameters.CopyTo(model.Parameters, 0);
        return new Organism(model, organism.Recipe, organism.Percept);
    }
}
