using SelfInterp.Preferences.Tasks;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Engine.Training;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Organisms;

/// <summary>
/// Our own transformer, run in-process by the engine: fine-tunes the model organism on chat examples,
/// chooses by P(A) vs P(B) from one forward pass, and reports by greedy decoding. Prompts arrive as text
/// (as they would over the API), are read back into tasks by the experiment's codec, and perceived through
/// <see cref="OrganismPercept"/>. The organism answers only multi-attribute choices and weight reports.
/// Fine-tuned models are saved under the run's models directory, so a resumed run reuses them.
/// The base model is <paramref name="baseModelId"/>, loaded from <paramref name="baseModelDirectory"/>; the other
/// shipped organisms are known by their names too (<see cref="ShippedOrganisms"/>), and any other organism by its
/// directory (e.g. a cross-prediction run's cross model fine-tuned from an organism of another pretraining seed).
/// </summary>
public sealed class LocalBackend(ScenarioCatalog catalog, ITaskCodec codec, string baseModelId, string baseModelDirectory, string modelsDirectory, int threads,
    InstillationOptions? instillation = null) : IModelBackend
{
    public string Name => "local";

    public IReadOnlyDictionary<string, string>? Compute => Engine.Provenance.EngineProvenance.Default(threads).ToDictionary();
    public IReadOnlyCollection<Type>? ServedTasks => [typeof(AttributeChoiceTask), typeof(WeightReportTask)];
    private readonly Dictionary<string, Organism> _models = new(StringComparer.Ordinal);
    private readonly InstillationOptions _instillation = instillation ?? InstillationOptions.None;

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) =>
        Task.Run(() => FineTune(request, progress, ct), ct);

    private string FineTune(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
    {
        var organism = Load(request.BaseModel, fresh: true);
        var percept = organism.Percept;
        var tasks = request.Examples.Select(e => Read(e.Prompt)).ToList();
        // Training on choices is instillation; on reports, introspection training: the recipe has one of each.
        bool decisions = !tasks.Any(t => t is WeightReportTask);
        var recipe = decisions ? _instillation.ApplyTo(organism.Recipe) : organism.Recipe;
        var settings = OrganismFineTuning.For(organism.Recipe, _instillation, decisions);
        var (method, lr, batch) = (settings.Method, settings.LearningRate, settings.Batch);

        // Same inputs, same weights: a model already trained from exactly these is handed back at once.
        string id = FineTunedModelId.Create(request.BaseModel, request.Name, JobContent(request, decisions, method, lr, batch, recipe.Instillation.Epochs));
        string dir = DirectoryOf(id);
        if (File.Exists(Path.Combine(dir, IdFile))) { progress?.Report(1); return id; }

        var examples = new List<(int[] Prompt, int[] Answer)>();
        for (int i = 0; i < tasks.Count; i++)
        {
            var (task, e) = (tasks[i], request.Examples[i]);
            string? problem = null;
            if (task is AttributeChoiceTask choice)
                examples.Add((percept.Decision(choice.Trial), percept.DecisionAnswer(e.Answer.Trim() == "A" ? 'A' : 'B')));
            else if (task is WeightReportTask report && codec.TryDecodeWeights(report, e.Answer, out var w, out problem))
                examples.Add((percept.Report(report.Trial), percept.ReportAnswer(report.Scenario, w.Select(x => (int)Math.Round(x)).ToArray())));
            else
                throw new UsageException($"fine-tuning example for {task}: the answer is not a report ({problem})");
        }

        int stepsPerEpoch = (examples.Count + batch - 1) / batch;
        int epochs = decisions ? recipe.Instillation.Epochs : Math.Max(recipe.Introspection.Epochs, (recipe.Introspection.MinSteps + stepsPerEpoch - 1) / stepsPerEpoch);
        var trainer = settings.Prepare(organism, examples.Select(x => x.Prompt), stepsPerEpoch, epochs * stepsPerEpoch, request.Seed, request.Name);
        var rng = new SeededStream("finetuning_job:" + request.Name, request.Seed);
        var replay = decisions || recipe.Introspection.Replay == 0 ? null : new ReportReplay(organism, catalog, new SeededStream("finetuning_replay:" + request.Name, request.Seed));
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(examples);
            for (int start = 0; start < examples.Count; start += batch)
            {
                ct.ThrowIfCancellationRequested();
                var slice = examples.Skip(start).Take(batch).Select(x => (x.Prompt, x.Answer, Targets: x.Answer)).ToList();
                if (replay is not null) slice.AddRange(replay.Draw(recipe.Introspection.Replay));
                trainer.Step(Batch.FromPromptCompletions(slice, percept.ValueFormatSets));
            }
            progress?.Report((epoch + 1.0) / epochs);
        }

        if (organism.Model.Lora is not null) organism.Model.MergeLora();

        // Save beside, then rename: a fine-tuned model directory is either complete or absent.
        string tmp = dir + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        organism.Save(tmp);
        File.WriteAllText(Path.Combine(tmp, IdFile), id + "\n"); // last: a directory with it is complete
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // an older save without the id file
        Directory.Move(tmp, dir);
        _models[id] = organism;
        return id;
    }

    /// <summary>Everything that shapes a job's weights. The base model: a fine-tuned one by its id (itself a content
    /// hash), the pretrained one by its files (checkpoint, tokenizer, recipe with every training setting).</summary>
    private ContentHash JobContent(FineTuneRequest request, bool decisions, string method, float lr, int batch, int epochs)
    {
        var hash = new ContentHash()
            .Add("trainer", "local-finetune-v1")
            .Add("base_model", request.BaseModel);
        if (!FineTunedModelId.TryDirectoryName(request.BaseModel, out _)) hash.AddDirectory("base_files", DirectoryOfModel(request.BaseModel));
        return hash
            .Add("kind", decisions ? "Decisions" : "Reports")
            .Add("hyperparameters", FormattableString.Invariant($"method={method};lr={lr:R};batch={batch}") + RunOverrides(decisions, method, epochs))
            .Add("training_data", ChatJsonl.Bytes(request.Examples))
            .Add("name", request.Name)
            .Add("seed", request.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>What a run's instillation options add to a job's hyperparameters (nothing without them, so ids made
    /// before these options existed stay the same; the recipe's own settings are hashed with the base model's files).</summary>
    private string RunOverrides(bool decisions, string method, int epochs) =>
        !decisions || !(_instillation.Any || method == "lora") ? ""
        : FormattableString.Invariant($";epochs={epochs}") + (method == "lora" ? FormattableString.Invariant($";lora_rank={_instillation.Rank};lora_alpha={_instillation.Alpha:R}") : "");

    /// <summary>Written into a fine-tuned model's directory: the id it was saved as.</summary>
    public const string IdFile = "model_id.txt";

    public Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct) =>
        Task.Run<IReadOnlyList<Choice>>(() =>
        {
            var organism = Load(model);
            var percept = organism.Percept;
            var inference = new Inference(organism.Model);
            var perceived = prompts.Select(p => Read(p) is AttributeChoiceTask c ? percept.Decision(c.Trial)
                : throw new UsageException("local backend: a choice was asked of a prompt that is not a choice")).ToList();
            // Every decision starts with the same task token: run it once, score the rest in batches on top.
            var scores = inference.ScoreWithSharedPrefix(perceived[0].AsSpan(0, 1), perceived.Select(p => p[1..]).ToList(), [percept.TokenA, percept.TokenB]);
            progress?.Report(prompts.Count);
            return scores.Select(lp =>
            {
                double pA = 1 / (1 + Numerics.DeterministicMath.Exp(lp[1] - lp[0]));
                char c = lp[0] > lp[1] ? 'A' : 'B';
                return new Choice(c, pA, c.ToString());
            }).ToList();
        }, ct);

    public Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct) =>
        Task.Run<IReadOnlyList<string>>(() =>
        {
            var organism = Load(model);
            var percept = organism.Percept;
            var inference = new Inference(organism.Model);
            var read = prompts.Select(Read).ToList();
            var replies = new List<string>(prompts.Count);
            // Greedy decoding in batches: each reply is the one the prompt would get alone (tested in the engine).
            for (int start = 0; start < read.Count; start += inference.MaxBatch)
            {
                ct.ThrowIfCancellationRequested();
                var group = read.Skip(start).Take(inference.MaxBatch).ToList();
                var generated = inference.GenerateBatch(group.Select(percept.Perceive).ToList(), maxTokens, [percept.Eos]);
                for (int i = 0; i < group.Count; i++)
                    replies.Add(group[i] is WeightReportTask ? percept.ReportText(generated[i]) : percept.Tokens.Decode(generated[i]));
                progress?.Report(group.Count);
            }
            return replies;
        }, ct);

    private ModelTask Read(ChatPrompt prompt) =>
        codec.Decode(prompt) is { } task and (AttributeChoiceTask or WeightReportTask) ? task
        : throw new UsageException("local backend: the organism perceives only this catalog's choice and weight-report prompts (see docs/organism.md)");

    private Organism Load(string id, bool fresh = false)
    {
        if (!fresh && _models.TryGetValue(id, out var m)) return m;
        string dir = DirectoryOfModel(id);
        var organism = Organism.Load(dir, catalog, new ModelOptions { Threads = threads });
        if (!fresh) _models[id] = organism;
        return organism;
    }

    /// <summary>The base model's directory, a shipped organism's, an organism directory named as the id, or a
    /// fine-tuned model's when it holds exactly that id.</summary>
    private string DirectoryOfModel(string id)
    {
        if (id != baseModelId && !FineTunedModelId.TryDirectoryName(id, out _) && !ShippedOrganisms.Names.Contains(id) && Directory.Exists(id))
            return File.Exists(Path.Combine(id, OrganismRecipe.FileName)) ? id
                : throw new UsageException($"local backend: {id} is a directory but holds no organism ({OrganismRecipe.FileName} missing)");
        if (id == baseModelId || !FineTunedModelId.TryDirectoryName(id, out _) && ShippedOrganisms.Names.Contains(id))
        {
            string dir = id == baseModelId ? baseModelDirectory : ShippedOrganisms.DirectoryOf(id);
            return File.Exists(Path.Combine(dir, OrganismRecipe.FileName)) ? dir
                : throw new UsageException($"local backend: no base model at {dir} (run `selfinterp pretrain --out {dir}`)");
        }
        string idFile = FineTunedModelId.TryDirectoryName(id, out _) ? Path.Combine(DirectoryOf(id), IdFile) : "";
        if (!File.Exists(idFile) || File.ReadAllText(idFile).TrimEnd('\n') != id)
            throw new UsageException($"local backend: unknown model '{id}' (not in {modelsDirectory})");
        return DirectoryOf(id);
    }

    private string DirectoryOf(string id) => Path.Combine(modelsDirectory, FineTunedModelId.DirectoryName(id));
}
