using SelfInterp.Analysis.Layout;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.IO;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Random;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Experiments.Preferences.Stages;

namespace SelfInterp.Experiments.CrossPrediction;

/// <summary>
/// The cross model's training set: each trial the instilled model chose on (<paramref name="selections"/>) as a
/// decision example whose answer is the instilled model's own choice, shuffled by a seeded stream. A trial whose
/// reply was neither A nor B is left out. Writes the chat JSONL that a remote fine-tuning job uploads.
/// </summary>
public sealed class CrossTrainingSetStage(PreferencesPlan plan, SelectionsStage selections, string selectionsFile, string file) : IStage
{
    public string Name => "cross_dataset";
    public IReadOnlyList<string> Reads => [Artifacts.File(selectionsFile)];
    public IReadOnlyList<string> Writes => [Artifacts.File(file)];

    public Task RunAsync(RunContext ctx, CancellationToken ct)
    {
        ChatJsonl.Write(ctx.Run.File(file), Examples(ctx.Run.Path));
        return Task.CompletedTask;
    }

    /// <summary>The examples, rebuilt from the selections file (the same on every call): prompts keep their tasks.</summary>
    public List<TrainingExample> Examples(string runDirectory)
    {
        var path = Path.Combine(runDirectory, selectionsFile);
        var table = CsvTable.Read(path);
        var trials = selections.Trials();
        if (table.Rows.Count != trials.Count)
            throw new DataFileException(path, null, null, $"expected {trials.Count} selections, found {table.Rows.Count}");
        int column = table.Column("selection");
        var examples = new List<TrainingExample>();
        for (int i = 0; i < trials.Count; i++)
            if (table.Rows[i][column] is "A" or "B")
                examples.Add(new TrainingExample(plan.DecisionPrompt(trials[i]), table.Rows[i][column]));
        if (examples.Count == 0) throw new DataFileException(path, null, "selection", "no A or B choices to train the cross model on");
        new SeededStream("cross_training_examples", SeededStream.DeriveSeed(plan.Seeds.Master, "cross_training_examples")).Shuffle(examples);
        return examples;
    }
}
