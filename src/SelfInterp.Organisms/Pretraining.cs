using System.Diagnostics;
using System.Globalization;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Engine.Checkpoints;
using SelfInterp.Engine.Training;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Organisms;

/// <summary>Pretraining stopped because its accuracy guard found the model still at chance.</summary>
public sealed class PretrainingStalledException(string message) : Exception(message);

/// <summary>One logged point of pretraining.</summary>
public readonly record struct PretrainStep(int Step, int Steps, float Loss, float DecisionAccuracy, float LearningRate, double Seconds);

/// <summary>
/// Trains the model organism from scratch: every step a batch of one-trial decisions on the pretraining
/// scenarios, answered by their native weights (loss on the answer), plus a batch of weight reports on the
/// report scenarios (loss on every answer token). Native weights are drawn as the protocol draws target
/// weights, from the recipe's seed. Early decisions show stated weights in place of names (the curriculum);
/// an accuracy guard stops a run stuck at chance. Checkpoints and writes its log as it goes.
/// The choices are documented, with the experiments behind them, in docs/organism.md.
/// </summary>
public static class Pretraining
{
    /// <summary>Attributes per scenario: a decision shows, and a report lists, this many.</summary>
    private const int Attributes = Scenario.AttributeCount;

    /// <param name="reportsSeen">Shown every batch of report examples as it is trained (prompt, answer, targets): lets a
    /// test inspect the whole report corpus of a pretraining.</param>
    /// <param name="questionsSeen">Shown every batch of self-prediction questions (<see cref="SelfPredictionCorpus"/>) with its
    /// step and the organism whose weights labelled it, before the step trains on it.</param>
    public static Organism Run(OrganismRecipe recipe, ScenarioCatalog catalog, string outDir, int threads,
        Action<PretrainStep>? log, CancellationToken ct, Action<IReadOnlyList<(int[] Prompt, int[] Answer, int[] Targets)>>? reportsSeen = null,
        Action<int, Organism, IReadOnlyList<(int[] Prompt, int[] Answer)>>? questionsSeen = null, int checkpointEvery = CheckpointEvery)
    {
        var tokenizer = OrganismVocabulary.Create(catalog, recipe.Percept.Levels, recipe.Curriculum.HasStatedWeights, recipe.Corpus.SyntheticScenarios, recipe.Families.Families,
            recipe.SelfPrediction.On);
        var percept = new OrganismPercept(tokenizer, catalog, recipe.Percept.Levels, recipe.Percept.FixedWidthValues);
        var config = new ModelConfig
        {
            VocabSize = tokenizer.VocabSize, Dim = recipe.Shape.Dim, NLayers = recipe.Shape.Layers, NHeads = recipe.Shape.Heads,
            NKvHeads = recipe.Shape.Heads, MlpHidden = recipe.Shape.MlpHidden, MaxSeqLen = 64, TiedEmbeddings = true,
            LearnedPositions = recipe.Shape.LearnedPositions,
        };
        var model = Model.CreateRandom(config, recipe.Seed, new ModelOptions { Threads = threads });
        if (recipe.Shape.InitScale != 1f)
            foreach (var slot in model.Layout.Layout.Slots.Where(x => x.Shape.Length == 2))
                System.Numerics.Tensors.TensorPrimitives.Multiply(model.Parameters.AsSpan((int)slot.Offset, (int)slot.Length), recipe.Shape.InitScale, model.Parameters.AsSpan((int)slot.Offset, (int)slot.Length));
        var organism = new Organism(model, recipe, percept);
        var families = new FamilyCorpus(recipe, percept);
        var selfPrediction = new SelfPredictionCorpus(recipe, catalog, percept, families);
        var lines = new List<Action<float[]>>();
        if (recipe.Percept.MagnitudeLine)
        {
            var lineRng = SeededStream.Derive(recipe.Seed, "magnitude_line");
            foreach (char option in "AB") lines.Add(EmbeddingLine(organism, percept.MagnitudeToken(option, 0), recipe.Percept.Levels, lineRng));
        }
        // The weight tokens -100..100 are a line too, so a stated weight is a linear read-out from the start.
        if (recipe.Curriculum.HasStatedWeights)
            lines.Add(EmbeddingLine(organism, percept.StatedWeightToken(-100), 201, SeededStream.Derive(recipe.Seed, "stated_weight_line")));

        var decisionIds = Range(recipe.Corpus.DecisionScenarios, catalog).Concat(SyntheticIds(recipe)).ToArray();
        var reportIds = ReportPool(recipe, catalog);
        // The decision-only scenarios (the native scenarios a run measures): names-only report slots come from them.
        var nativeOnlyIds = Range(recipe.Corpus.DecisionScenarios, catalog).Except(Range(recipe.Corpus.ReportScenarios, catalog)).ToArray();
        var native = NativeWeights(recipe, catalog);
        Directory.CreateDirectory(outDir);
        Organism.SaveNativeWeights(outDir, native.Where(kv => kv.Key < SyntheticBase).ToDictionary());

        var trainer = new Trainer(model, new TrainerOptions
        {
            Schedule = new LearningRateSchedule(recipe.Curriculum.LearningRate, recipe.Curriculum.LearningRate * recipe.Curriculum.MinLearningRateFraction, recipe.Curriculum.Warmup, recipe.Curriculum.Steps),
            WeightDecay = recipe.Curriculum.WeightDecay,
            Beta2 = 0.98f,
            Constraint = lines.Count == 0 ? null : parameters => lines.ForEach(keepOnLine => keepOnLine(parameters)),
        });
        // The behaviour families' entities are names too: reports do not train them and read them with noise.
        var nameRows = Enumerable.Range(0, catalog.Scenarios.Count).SelectMany(s => Enumerable.Range(0, Attributes).Select(i => percept.NameToken(s, i)))
            .Concat(families.EntityTokens).Distinct().Order().ToArray();
        var trainedNameRows = decisionIds.Where(x => x < SyntheticBase).SelectMany(x => Enumerable.Range(0, Attributes).Select(i => percept.NameToken(x, i)))
            .Concat(families.EntityTokens).Distinct().Order().ToArray();
        var noiseRng = SeededStream.Derive(recipe.Seed, "report_name_noise");
        var decisionRng = SeededStream.Derive(recipe.Seed, "pretrain_decisions");
        var reportRng = SeededStream.Derive(recipe.Seed, "pretrain_reports");
        var statedRng = SeededStream.Derive(recipe.Seed, "pretrain_stated_weights");
        var evaluationRng = SeededStream.Derive(recipe.Seed, "pretrain_evaluation");
        var behaviourRng = SeededStream.Derive(recipe.Seed, "pretrain_behaviours");
        var familyReportRng = SeededStream.Derive(recipe.Seed, "pretrain_family_reports");
        var questionRng = SeededStream.Derive(recipe.Seed, "pretrain_self_prediction");
        var questionShuffleRng = SeededStream.Derive(recipe.Seed, "self_prediction_shuffle");
        int guardStep = recipe.Curriculum.AccuracyGuard.Length == 2 ? (int)(recipe.Curriculum.AccuracyGuard[0] * recipe.Curriculum.Steps) : -1;
        var logLines = new System.Text.StringBuilder("step,loss,decision_accuracy,lr,seconds\n");
        SeededStream[] streams = [noiseRng, decisionRng, reportRng, statedRng, evaluationRng, behaviourRng, familyReportRng, questionRng, questionShuffleRng];
        int first = 0;
        double secondsBefore = 0;
        // A pretraining stopped after a checkpoint goes on from it: the weights saved then, the trainer's and the streams'
        // state, the log up to it. Everything before the loop draws and computes as it did, so the bytes are the same.
        if (PretrainingResume.Restore(outDir, recipe, trainer, streams) is int resumed)
        {
            Checkpoint.Load(outDir, new ModelOptions { Threads = 1 }).Parameters.AsSpan().CopyTo(model.Parameters);
            foreach (var line in File.ReadLines(Path.Combine(outDir, LogFile)).Skip(1))
            {
                var fields = line.Split(',');
                if (int.Parse(fields[0], CultureInfo.InvariantCulture) > resumed) break;
                logLines.Append(line).Append('\n');
                secondsBefore = double.Parse(fields[4], CultureInfo.InvariantCulture);
            }
            first = resumed + 1;
        }
        var clock = Stopwatch.StartNew();
        for (int step = first; step < recipe.Curriculum.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            // Labelled by the weights of this moment, before any of this step's changes (name noise included).
            var questions = selfPrediction.At(step, recipe.Curriculum.Steps)
                ? selfPrediction.Batch(model, recipe.SelfPrediction.Batch, questionRng, questionShuffleRng) : null;
            if (questions is not null) questionsSeen?.Invoke(step, organism, questions);
            double stated = StatedShare(recipe, step);
            var decisions = new List<(int[], int[])>(recipe.Curriculum.BatchDecisions);
            for (int k = 0; k < recipe.Curriculum.BatchDecisions; k++) decisions.Add(DecisionExample(percept, catalog, native, decisionIds, decisionRng, stated, statedRng));
            var batches = new List<Batch>();
            if (recipe.Curriculum.BatchReports > 0 && (reportIds.Length > 0 || families.HasReports) && step >= recipe.Curriculum.ReportsFrom * recipe.Curriculum.Steps)
            {
                var reports = Enumerable.Range(0, recipe.Curriculum.BatchReports)
                    .Select(_ => FamilyReportTurn(families, reportIds, familyReportRng) ? families.Report(familyReportRng)
                        : recipe.Corpus.StatedReports
                        ? StatedReportExample(percept, catalog, reportIds, recipe.Corpus, reportRng)
                        : ReportExample(percept, catalog, native, reportIds, recipe.Corpus.ReportMixFraction, reportRng, nativeOnlyIds, recipe.Corpus.NativeNameShare)).ToList();
                reportsSeen?.Invoke(reports);
                batches.Add(Batch.FromPromptCompletions(reports, percept.ValueFormatSets));
            }
            // Reports first, so their gradient can be kept from the name embeddings before the decisions add theirs,
            // and the names they read can be noisy while the decisions read them clean.
            bool reportsFirst = batches.Count == 1;
            bool detach = recipe.Corpus.DetachReportNames && reportsFirst;
            float[]? cleanNames = reportsFirst && recipe.Corpus.ReportNameNoise > 0 ? AddNameNoise(organism, nameRows, trainedNameRows, recipe.Corpus.ReportNameNoise, noiseRng) : null;
            // The questions next, reading the names clean; their gradient is kept from the names as the reports' is.
            int questionBatch = questions is null ? -1 : batches.Count;
            if (questions is not null) batches.Add(Batch.FromPromptCompletions(questions));
            bool detachQuestions = questions is not null && recipe.Corpus.DetachReportNames;
            batches.Add(Batch.FromPromptCompletions(decisions));
            if (families.HasBehaviours)
                batches.Add(Batch.FromPromptCompletions(Enumerable.Range(0, recipe.Families.BatchBehaviours).Select(_ => families.Behaviour(behaviourRng)).ToList()));
            var result = trainer.Step(batches, detach || cleanNames is not null || detachQuestions ? (i, g) =>
            {
                if (i == 0 && reportsFirst)
                {
                    if (detach) ClearRows(g, organism, nameRows);
                    if (cleanNames is not null) SetRows(organism, nameRows, cleanNames);
                }
                if (i == questionBatch && detachQuestions) ClearRows(g, organism, nameRows);
            } : null);
            bool last = step == recipe.Curriculum.Steps - 1;
            if (step % 50 == 0 || last || step == guardStep)
            {
                float accuracy = DecisionAccuracy(organism, EvaluationDecisions(percept, catalog, native, decisionIds, evaluationRng));
                var point = new PretrainStep(step, recipe.Curriculum.Steps, result.Loss, accuracy, result.LearningRate, secondsBefore + clock.Elapsed.TotalSeconds);
                logLines.Append(string.Create(CultureInfo.InvariantCulture, $"{step},{result.Loss:G6},{accuracy:G4},{result.LearningRate:G4},{point.Seconds:F1}\n"));
                log?.Invoke(point);
                AtomicFile.WriteAllText(Path.Combine(outDir, LogFile), logLines.ToString());
                if (step == guardStep && accuracy <= recipe.Curriculum.AccuracyGuard[1])
                    throw new PretrainingStalledException(
                        $"pretraining stalled: decision accuracy {accuracy:F2} at step {step} of {recipe.Curriculum.Steps}, not above {recipe.Curriculum.AccuracyGuard[1]} " +
                        $"as the recipe's accuracy_guard asks; the escape from the chance plateau is stochastic: try another seed (log: {Path.Combine(outDir, "pretrain_log.csv")})");
            }
            if ((step + 1) % checkpointEvery == 0 && !last)
            {
                organism.Save(outDir);
                PretrainingResume.Write(outDir, recipe, step, trainer, streams);
            }
        }
        ResetUnfamiliarNames(organism, catalog, recipe);
        organism.Save(outDir);
        PretrainingResume.Remove(outDir);
        return organism;
    }

    /// <summary>The end of pretraining: the never-trained names reset as the recipe asks, from their own stream.</summary>
    private static void ResetUnfamiliarNames(Organism organism, ScenarioCatalog catalog, OrganismRecipe recipe)
    {
        ResetUnfamiliarNames(organism, catalog, TrainedScenarios(recipe, catalog), SeededStream.Derive(recipe.Seed, "unfamiliar_names"),
            recipe.Corpus.UnfamiliarNameNoise, fullCovariance: recipe.Corpus.UnfamiliarNameCovariance);
    }

    /// <summary>
    /// Pretraining <paramref name="recipe"/> with its steps taken from <paramref name="fromDir"/>: a complete pretraining
    /// of the same recipe and seed but for how the never-trained names are reset at the end
    /// (<c>unfamiliar_name_noise</c>, <c>unfamiliar_name_covariance</c>). Every step before the reset draws and computes
    /// the same, and the reset reads only the trained names and its own stream, so redoing the reset on a copy writes what
    /// pretraining the recipe from scratch writes, at none of its cost: a reset ablation over many pretraining seeds.
    /// </summary>
    public static Organism Refinish(OrganismRecipe recipe, ScenarioCatalog catalog, string fromDir, string outDir)
    {
        var finished = OrganismRecipe.Load(fromDir);
        var comparable = finished with { Corpus = finished.Corpus with { UnfamiliarNameNoise = recipe.Corpus.UnfamiliarNameNoise, UnfamiliarNameCovariance = recipe.Corpus.UnfamiliarNameCovariance } };
        if (comparable.ToJson() != recipe.ToJson())
            throw new UsageException($"{Path.Combine(fromDir, OrganismRecipe.FileName)}: not the same recipe and seed as the one to pretrain, but for the " +
                $"unfamiliar-name reset (first difference: {FirstDifference(comparable.ToJson(), recipe.ToJson())}); only the reset can be redone");
        if (LastLoggedStep(fromDir) is var last && last != recipe.Curriculum.Steps - 1)
            throw new UsageException($"{Path.Combine(fromDir, LogFile)}: {(last is null or < 0 ? "no logged step" : $"ends at step {last + 1} of {recipe.Curriculum.Steps}")}: not a complete pretraining");
        var organism = Organism.Load(fromDir, catalog, new ModelOptions { Threads = 1 });
        organism = new Organism(organism.Model, recipe, organism.Percept);
        Directory.CreateDirectory(outDir);
        foreach (string file in new[] { Organism.NativeWeightsFile, LogFile })
            File.Copy(Path.Combine(fromDir, file), Path.Combine(outDir, file), overwrite: true);
        ResetUnfamiliarNames(organism, catalog, recipe);
        organism.Save(outDir);
        return organism;
    }

    /// <summary>Steps between the partial checkpoints a stopped pretraining resumes from (<see cref="PretrainingResume"/>).</summary>
    public const int CheckpointEvery = 500;

    /// <summary>The log pretraining writes as it goes: step, loss, decision accuracy, learning rate, seconds.</summary>
    public const string LogFile = "pretrain_log.csv";

    /// <summary>The last step a pretraining's log records: null without a log, −1 for a log without steps.</summary>
    public static int? LastLoggedStep(string dir)
    {
        string path = Path.Combine(dir, LogFile);
        if (!File.Exists(path)) return null;
        var table = CsvTable.Read(path);
        int column = table.Column("step");
        return table.Rows.Count == 0 ? -1 : table.Rows.Max(r => int.Parse(r[column], CultureInfo.InvariantCulture));
    }

    private static string FirstDifference(string a, string b)
    {
        var x = a.Split('\n');
        var y = b.Split('\n');
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            if (x[i] != y[i]) return $"{x[i].Trim()} against {y[i].Trim()}";
        return "their lengths";
    }

    /// <summary>Whether a report example is one of the supervised families' (rather than of the report scenarios'): always
    /// when there are no report scenarios, else as one more family among them. No draw without supervised families.</summary>
    public static bool FamilyReportTurn(FamilyCorpus families, int[] reportIds, SeededStream rng) =>
        families.HasReports && (reportIds.Length == 0 || rng.NextInt(families.Supervised.Count() + 1) > 0);

    /// <summary>Shows the stated weight in place of each attribute's name with probability <paramref name="share"/>
    /// (always at 1, never at 0: no draws then, so a recipe without the curriculum draws nothing).</summary>
    public static OrganismPercept.Seen[] StateWeights(OrganismPercept percept, OrganismPercept.Seen[] seen, IReadOnlyList<int> weights, double share, SeededStream rng)
    {
        if (share > 0)
            for (int i = 0; i < seen.Length; i++)
                if (share >= 1 || rng.NextDouble() < share) seen[i] = seen[i] with { Name = percept.StatedWeightToken(weights[i]) };
        return seen;
    }

    /// <summary>Share of a decision's name slots that show the stated weight at this step (the curriculum).</summary>
    public static double StatedShare(OrganismRecipe recipe, int step) =>
        step < recipe.Curriculum.StatedWeightsAllUntil * recipe.Curriculum.Steps ? 1
        : step < recipe.Curriculum.StatedWeightsUntil * recipe.Curriculum.Steps ? recipe.Curriculum.StatedWeightsFraction
        : 0;

    /// <summary>One-trial decision on a random scenario of <paramref name="ids"/>, answered by its native weights;
    /// with the stated-weight curriculum's share of names shown as their weights.</summary>
    private static (int[] Prompt, int[] Answer) DecisionExample(OrganismPercept percept, ScenarioCatalog catalog,
        IReadOnlyDictionary<int, int[]> native, int[] ids, SeededStream rng, double stated, SeededStream statedRng)
    {
        int s = ids[rng.NextInt(ids.Length)];
        if (s >= SyntheticBase)
        {
            var shown = SyntheticSeen(percept, s, rng);
            double u = 0;
            for (int i = 0; i < Attributes; i++) u += native[s][i] * (shown[i].LevelA - shown[i].LevelB);
            return (percept.Decision(StateWeights(percept, shown, native[s], stated, statedRng)), percept.DecisionAnswer(u > 0 ? 'A' : 'B'));
        }
        var t = OptionValues.DrawTrial(s, catalog.Scenarios[s], rng);
        var seen = StateWeights(percept, percept.See(t), native[s], stated, statedRng);
        return (percept.Decision(seen), percept.DecisionAnswer(Utility.Choice(catalog.Scenarios[s], native[s], t)));
    }

    /// <summary>64 fresh decisions shown by name (never stated), to log how well choices come from the names.</summary>
    private static List<(int[] Prompt, int[] Answer)> EvaluationDecisions(OrganismPercept percept, ScenarioCatalog catalog,
        IReadOnlyDictionary<int, int[]> native, int[] decisionIds, SeededStream rng) =>
        Enumerable.Range(0, 64).Select(_ => DecisionExample(percept, catalog, native, decisionIds, rng, stated: 0, rng)).ToList();

    /// <summary>Puts <paramref name="count"/> consecutive embedding rows on a line (base + t·direction, t evenly from -1
    /// to 1) and returns the projection that keeps them there after every step (least squares: base = mean row,
    /// direction = Σ t·row / Σ t²).</summary>
    private static Action<float[]> EmbeddingLine(Organism organism, int firstToken, int count, SeededStream rng)
    {
        int d = organism.Model.Config.Dim, start = (int)organism.Model.Layout.Embedding + firstToken * d;
        var t = Enumerable.Range(0, count).Select(k => count == 1 ? 0f : -1f + 2f * k / (count - 1)).ToArray();
        float tt = t.Sum(x => x * x);
        var rows = organism.Model.Parameters.AsSpan(start, count * d);
        var b = Enumerable.Range(0, d).Select(_ => (float)(0.02 * rng.NextGaussian())).ToArray();
        var dir = Enumerable.Range(0, d).Select(_ => (float)(0.02 * rng.NextGaussian())).ToArray();
        for (int k = 0; k < count; k++)
            for (int j = 0; j < d; j++) rows[k * d + j] = b[j] + t[k] * dir[j];
        return parameters =>
        {
            var r = parameters.AsSpan(start, count * d);
            for (int j = 0; j < d; j++)
            {
                float mean = 0, slope = 0;
                for (int k = 0; k < count; k++) { mean += r[k * d + j]; slope += t[k] * r[k * d + j]; }
                mean /= count;
                slope = tt > 0 ? slope / tt : 0;
                for (int k = 0; k < count; k++) r[k * d + j] = mean + t[k] * slope;
            }
        };
    }

    /// <summary>The preferences the organism is pretrained to have: drawn as the protocol draws target weights, from
    /// the recipe's seed, for every decision and report scenario.</summary>
    public static Dictionary<int, int[]> NativeWeights(OrganismRecipe recipe, ScenarioCatalog catalog)
    {
        var rng = SeededStream.Derive(recipe.Seed, "native_weights");
        var native = Range(recipe.Corpus.DecisionScenarios, catalog).Union(Range(recipe.Corpus.ReportScenarios, catalog)).Order().ToDictionary(s => s, _ => Weights.Draw(rng));
        var syntheticRng = SeededStream.Derive(recipe.Seed, "synthetic_weights");
        foreach (int s in SyntheticIds(recipe)) native[s] = Weights.Draw(syntheticRng);
        return native;
    }

    /// <summary>Synthetic scenarios get ids from here on, far past any catalog's.</summary>
    public const int SyntheticBase = 1_000_000;

    private static IEnumerable<int> SyntheticIds(OrganismRecipe recipe) => Enumerable.Range(SyntheticBase, recipe.Corpus.SyntheticScenarios);

    /// <summary>Scenarios whose weights pretraining reports: the recipe's report scenarios, then the synthetic ones.</summary>
    public static int[] ReportPool(OrganismRecipe recipe, ScenarioCatalog catalog) =>
        Range(recipe.Corpus.ReportScenarios, catalog).Concat(SyntheticIds(recipe)).ToArray();

    /// <summary>A synthetic scenario's attributes as seen in a trial: its names, and uniform magnitudes for A and B.</summary>
    private static OrganismPercept.Seen[] SyntheticSeen(OrganismPercept percept, int s, SeededStream rng) =>
        Enumerable.Range(0, Attributes).Select(i => SyntheticAttribute(percept, s, i, rng)).ToArray();

    private static OrganismPercept.Seen SyntheticAttribute(OrganismPercept percept, int s, int i, SeededStream rng) =>
        new(percept.SyntheticNameToken(s - SyntheticBase, i), rng.NextInt(percept.Levels), rng.NextInt(percept.Levels));

    /// <summary>One pretraining report example on the report scenarios: with probability <paramref name="mixFraction"/>
    /// five attributes from random report scenarios, else one scenario's report. With <paramref name="namesOnlyShare"/>
    /// above 0, that share of the slots (attributes of a mixed report, whole one-scenario reports) goes to the
    /// <paramref name="namesOnly"/> scenarios instead: their names are keys to copy, their values random filler
    /// whose <c>Targets</c> are only their kind, a sign or a digit (<see cref="OrganismPercept.ReportAnswerTargets"/>).</summary>
    public static (int[] Prompt, int[] Answer, int[] Targets) ReportExample(OrganismPercept percept, ScenarioCatalog catalog, IReadOnlyDictionary<int, int[]> native,
        int[] reportIds, double mixFraction, SeededStream rng, int[]? namesOnly = null, double namesOnlyShare = 0)
    {
        // No draw at all when names-only slots are off, so recipes without them draw as before.
        Func<bool> namesOnlySlot = namesOnly is { Length: > 0 } && namesOnlyShare > 0 ? () => rng.NextDouble() < namesOnlyShare : () => false;
        int[] prompt, names, weights;
        var trained = new bool[Attributes];
        if (rng.NextDouble() < mixFraction)
            (prompt, names, weights, trained) = MixedReport(percept, catalog, native, reportIds, rng, namesOnly, namesOnlySlot);
        else if (namesOnlySlot())
        {
            (prompt, names) = ScenarioReport(percept, catalog, namesOnly![rng.NextInt(namesOnly.Length)], rng);
            weights = FillerWeights(rng, Attributes);
        }
        else
        {
            int s = reportIds[rng.NextInt(reportIds.Length)];
            (prompt, names) = ScenarioReport(percept, catalog, s, rng);
            weights = native[s];
            Array.Fill(trained, true);
        }
        var answer = percept.ReportAnswer(names, weights);
        return (prompt, answer, percept.ReportAnswerTargets(answer, trained));
    }

    /// <summary>One pretraining report of the naive organism: names from <paramref name="reportIds"/> (five attributes of
    /// random scenarios with probability <c>report_mix_fraction</c>, else one scenario's five) as the keys to copy;
    /// in <c>stated_report_share</c> of the slots the trial shows a stated weight in place of the name and the value
    /// written is that weight; in the others the trial shows the name and the value is filler trained only as its
    /// format. No trained value is anything but a weight stated in the prompt — except in the label control
    /// ("stated_unrelated"), whose trained values are another draw, unrelated to the weights shown.</summary>
    public static (int[] Prompt, int[] Answer, int[] Targets) StatedReportExample(OrganismPercept percept, ScenarioCatalog catalog,
        int[] reportIds, RecipeCorpus corpus, SeededStream rng)
    {
        double mixFraction = corpus.ReportMixFraction, statedShare = corpus.StatedReportShare;
        bool mixed = rng.NextDouble() < mixFraction;
        int one = reportIds[rng.NextInt(reportIds.Length)];
        var names = new int[Attributes];
        var seen = new OrganismPercept.Seen[Attributes];
        var weights = Weights.Draw(rng);
        var stated = new bool[Attributes];
        for (int k = 0; k < Attributes; k++)
        {
            int s = mixed ? reportIds[rng.NextInt(reportIds.Length)] : one, i = mixed ? rng.NextInt(Attributes) : k;
            var a = catalog.Scenarios[s].Attributes[i];
            names[k] = percept.NameToken(s, i);
            stated[k] = rng.NextDouble() < statedShare;
            seen[k] = new OrganismPercept.Seen(stated[k] ? percept.StatedWeightToken(weights[k]) : names[k],
                percept.MagnitudeLevel(a, OptionValues.Draw(a, rng)), percept.MagnitudeLevel(a, OptionValues.Draw(a, rng)));
        }
        // The control's values are drawn last and only for it, so the naive corpus draws (and trains) what it did before.
        var answer = percept.ReportAnswer(names, corpus.UnrelatedStatedValues ? Weights.Draw(rng) : weights);
        return (percept.Report(names, seen), answer, percept.ReportAnswerTargets(answer, stated));
    }

    /// <summary>Values for names-only slots: drawn uniformly from -100..100, never any scenario's weight.</summary>
    private static int[] FillerWeights(SeededStream rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextInt(201) - 100).ToArray();

    /// <summary>One scenario's report prompt on a fresh trial, and its names in order.</summary>
    private static (int[] Prompt, int[] Names) ScenarioReport(OrganismPercept percept, ScenarioCatalog catalog, int s, SeededStream rng)
    {
        if (s >= SyntheticBase)
        {
            var shown = SyntheticSeen(percept, s, rng);
            return (percept.Report(shown), shown.Select(x => x.Name).ToArray());
        }
        var t = OptionValues.DrawTrial(s, catalog.Scenarios[s], rng);
        return (percept.Report(t), Enumerable.Range(0, Attributes).Select(i => percept.NameToken(s, i)).ToArray());
    }

    /// <summary>A report on five attributes each taken from a random report scenario, with its own weight — or, for a
    /// names-only slot, from a random names-only scenario, with a filler value.</summary>
    private static (int[] Prompt, int[] Names, int[] Weights, bool[] Trained) MixedReport(OrganismPercept percept, ScenarioCatalog catalog,
        IReadOnlyDictionary<int, int[]> native, int[] pool, SeededStream rng, int[]? namesOnly, Func<bool> namesOnlySlot)
    {
        var seen = new OrganismPercept.Seen[Attributes];
        var weights = new int[Attributes];
        var trained = new bool[Attributes];
        for (int k = 0; k < Attributes; k++)
        {
            trained[k] = !namesOnlySlot();
            int s = trained[k] ? pool[rng.NextInt(pool.Length)] : namesOnly![rng.NextInt(namesOnly.Length)], i = rng.NextInt(Attributes);
            weights[k] = trained[k] ? native[s][i] : FillerWeights(rng, 1)[0];
            if (s >= SyntheticBase) { seen[k] = SyntheticAttribute(percept, s, i, rng); continue; }
            var a = catalog.Scenarios[s].Attributes[i];
            seen[k] = new OrganismPercept.Seen(percept.NameToken(s, i),
                percept.MagnitudeLevel(a, OptionValues.Draw(a, rng)), percept.MagnitudeLevel(a, OptionValues.Draw(a, rng)));
        }
        return (percept.Report(seen), seen.Select(x => x.Name).ToArray(), weights, trained);
    }

    /// <summary>Adds to every name row Gaussian noise of <paramref name="scale"/> times the trained names' per-dimension
    /// spread, and returns the clean rows for <see cref="SetRows"/>: the report circuit learns to read names a little
    /// off the places choices put them, as instillation will move them.</summary>
    private static float[] AddNameNoise(Organism organism, int[] rows, int[] trainedRows, double scale, SeededStream rng)
    {
        int d = organism.Model.Config.Dim, start = (int)organism.Model.Layout.Embedding;
        var p = organism.Model.Parameters;
        var clean = new float[rows.Length * d];
        for (int r = 0; r < rows.Length; r++) Array.Copy(p, start + rows[r] * d, clean, r * d, d);
        var (_, spread) = RowStatistics(p.AsSpan(start, organism.Model.Config.VocabSize * d), trainedRows, d);
        foreach (int row in rows)
            for (int j = 0; j < d; j++) p[start + row * d + j] += (float)(scale * spread[j] * rng.NextGaussian());
        return clean;
    }

    private static void SetRows(Organism organism, int[] rows, float[] values)
    {
        int d = organism.Model.Config.Dim, start = (int)organism.Model.Layout.Embedding;
        for (int r = 0; r < rows.Length; r++) Array.Copy(values, r * d, organism.Model.Parameters, start + rows[r] * d, d);
    }

    private static void ClearRows(float[] gradients, Organism organism, int[] rows)
    {
        int d = organism.Model.Config.Dim, start = (int)organism.Model.Layout.Embedding;
        foreach (int r in rows) Array.Clear(gradients, start + r * d, d);
    }

    private static int[] Range(int[] fromTo, ScenarioCatalog catalog)
    {
        if (fromTo.Length != 2 || fromTo[0] < 0 || fromTo[1] > catalog.Scenarios.Count || fromTo[0] > fromTo[1])
            throw new Core.Runs.UsageException($"recipe: scenario range [{string.Join(", ", fromTo)}] does not fit a catalog of {catalog.Scenarios.Count}");
        return Enumerable.Range(fromTo[0], fromTo[1] - fromTo[0]).ToArray();
    }

    /// <summary>Share of examples whose answer token is the more likely of A and B.</summary>
    public static float DecisionAccuracy(Organism organism, IReadOnlyList<(int[] Prompt, int[] Answer)> examples)
    {
        var inference = new Inference(organism.Model);
        int a = organism.Percept.TokenA, b = organism.Percept.TokenB, correct = 0;
        foreach (var (prompt, answer) in examples)
        {
            var lp = inference.ScoreCandidates(prompt, [a, b]);
            if ((lp[0] > lp[1] ? a : b) == answer[0]) correct++;
        }
        return (float)correct / examples.Count;
    }

    /// <summary>
    /// Name rows never trained (the instilled scenarios' attributes) are set to look like a typical trained
    /// name: the mean of the trained name embeddings plus noise of their per-dimension spread, or, with
    /// <paramref name="fullCovariance"/>, a draw from their full covariance. Otherwise an unfamiliar name is a near-zero
    /// vector the circuits never saw, and instillation must first move it into their range. Part of the shipped base model.
    /// </summary>
    /// <param name="only">When given, only these scenarios' names are drawn (the white-box lab's control: a model
    /// whose instilled scenarios' names were drawn afresh); the others keep theirs.</param>
    public static void ResetUnfamiliarNames(Organism organism, ScenarioCatalog catalog, IReadOnlySet<int> trainedScenarios, SeededStream rng, double noise,
        IReadOnlySet<int>? only = null, bool fullCovariance = false)
    {
        var model = organism.Model;
        int d = model.Config.Dim;
        var emb = model.Parameters.AsSpan((int)model.Layout.Embedding, model.Config.VocabSize * d);
        var trained = new List<int>();
        var untrained = new List<int>();
        for (int s = 0; s < catalog.Scenarios.Count; s++)
            for (int i = 0; i < Attributes; i++)
                if (trainedScenarios.Contains(s)) trained.Add(organism.Percept.NameToken(s, i));
                else if (only is null || only.Contains(s)) untrained.Add(organism.Percept.NameToken(s, i));
        if (trained.Count == 0 || untrained.Count == 0) return;
        if (fullCovariance)
        {
            var names = new NameDistribution(emb, trained, d);
            foreach (int id in untrained.Distinct().Order()) names.Draw(emb.Slice(id * d, d), noise, rng);
            return;
        }
        var (mean, spread) = RowStatistics(emb, trained, d);
        foreach (int id in untrained.Distinct().Order())
            for (int j = 0; j < d; j++) emb[id * d + j] = (float)(mean[j] + noise * spread[j] * rng.NextGaussian());
    }

    /// <summary>The catalog scenarios whose names the recipe's pretraining trains (decisions or reports).</summary>
    public static HashSet<int> TrainedScenarios(OrganismRecipe recipe, ScenarioCatalog catalog) =>
        Range(recipe.Corpus.DecisionScenarios, catalog).Union(Range(recipe.Corpus.ReportScenarios, catalog)).ToHashSet();

    /// <summary>Per-dimension mean and standard deviation of the given embedding rows (summed in their order).</summary>
    private static (double[] Mean, double[] Spread) RowStatistics(ReadOnlySpan<float> emb, IReadOnlyList<int> rows, int d)
    {
        var mean = new double[d];
        var sq = new double[d];
        foreach (int id in rows)
            for (int j = 0; j < d; j++) { double v = emb[id * d + j]; mean[j] += v; sq[j] += v * v; }
        for (int j = 0; j < d; j++) { mean[j] /= rows.Count; sq[j] = Math.Sqrt(Math.Max(sq[j] / rows.Count - mean[j] * mean[j], 0)); }
        return (mean, sq);
    }
}
