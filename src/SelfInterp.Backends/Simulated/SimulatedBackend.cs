using SelfInterp.Preferences.Tasks;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// An ideal observer, honest about what it is: no language model at all. Its base model holds random native
/// weights for every scenario; "fine-tuning" on decisions fits each scenario's weights by regularised logistic
/// regression on the examples; it chooses by its weights with logistic noise and reports its weights plus
/// Gaussian noise, which introspection training shrinks. It runs the whole protocol in seconds, shows the
/// measurement's noise ceiling, and tests the orchestration without a real model. On behavioural traits it is a
/// <see cref="TraitAgent"/>: behaviour learnt from the fine-tuning data, self-reports sampled from it.
/// Every draw is seeded by the model id and the prompt, so answers do not depend on batching or resumption.
/// </summary>
public sealed class SimulatedBackend(ScenarioCatalog catalog, ITaskCodec codec, SimulatedOptions options, string modelsDirectory, ulong nativeSeed) : IModelBackend
{
    public const string BaseModelId = "simulated-base";
    public string Name => "simulated";
    public IReadOnlyCollection<Type>? ServedTasks =>
    [
        typeof(AttributeChoiceTask), typeof(WeightReportTask),
        typeof(TraitChoiceTask), typeof(SelfRatingTask), typeof(SelfDescriptionTask), typeof(SelfReportChoiceTask), typeof(TriggerDependenceTask),
    ];
    private readonly Dictionary<string, SimulatedModel> _models = new(StringComparer.Ordinal);
    private readonly TraitAgent _traits = new(options);

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
    {
        var parent = Model(request.BaseModel);
        var tasks = request.Examples.Select(e => codec.Require(e.Prompt, Name)).ToList();
        // Training on reports sharpens reports; training on choices fits the choices' weights; on trait choices, the trait.
        bool reports = tasks.All(t => t is WeightReportTask);
        bool traits = tasks.Any(t => t is TraitChoiceTask);
        // Named by what fixes its weights: a job on other data never shares its file. The noise knobs are this
        // backend instance's settings, like a service's sampling, and stay out of the id: the power analysis
        // relies on one id per job across noise levels (PowerReplicate), and a job here is always trained afresh.
        string id = FineTunedModelId.Create(request.BaseModel, request.Name, new ContentHash()
            .Add("trainer", "simulated-v1")
            .Add("base_model", request.BaseModel)
            .Add("prior_scale", options.PriorScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Add("native_seed", nativeSeed.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("kind", reports ? "Reports" : traits ? "Traits" : "Decisions")
            .Add("training_data", Core.Datasets.ChatJsonl.Bytes(request.Examples))
            .Add("name", request.Name)
            .Add("seed", request.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var model = new SimulatedModel
        {
            Id = id,
            Parent = parent.Id,
            ReportNoise = parent.ReportNoise,
        };
        if (reports)
            model.ReportNoise = parent.ReportNoise * options.ItrainingNoiseFactor;
        else if (traits)
            model.Traits = _traits.Learn(request.Examples.Select((e, i) => (Trait(tasks[i]), e.Answer)), trait => TraitOf(parent, trait));
        else
            foreach (var group in request.Examples.Select((e, i) => (e, Task: Choice(tasks[i]))).GroupBy(x => x.Task.Scenario).OrderBy(g => g.Key))
            {
                ct.ThrowIfCancellationRequested();
                var scenario = catalog.Scenarios[group.Key];
                var x = group.Select(e => Differences(scenario, e.Task.Trial)).ToList();
                var y = group.Select(e => e.e.Answer.Trim() == "A").ToList();
                var beta = LogisticFit.Fit(x, y, options.PriorScale);
                model.Weights[group.Key] = Weights.ScaleToHundred(beta).Select(w => (double)w).ToArray();
            }
        model.Save(PathOf(id));
        _models[id] = model;
        progress?.Report(1);
        return Task.FromResult(id);
    }

    public Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct)
    {
        var m = Model(model);
        var choices = new List<Choice>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var read = codec.Require(prompt, Name);
            if (read is TraitChoiceTask trait)
            {
                double p = TraitAgent.ProbabilityA(trait, TraitOf(m, trait.Trait));
                char letter = StreamFor(m.Id, prompt).NextDouble() < p ? 'A' : 'B';
                choices.Add(new Choice(letter, p, letter.ToString()));
                continue;
            }
            var task = Choice(read);
            var scenario = catalog.Scenarios[task.Scenario];
            var w = WeightsOf(m, task.Scenario);
            double du = 0;
            var d = Differences(scenario, task.Trial);
            for (int i = 0; i < d.Length; i++) du += w[i] * d[i];
            double pA = 1 / (1 + Numerics.DeterministicMath.Exp(-du / Math.Max(options.ChoiceNoise, 1e-9)));
            var rng = StreamFor(m.Id, prompt);
            char selection = rng.NextDouble() < pA ? 'A' : 'B';
            choices.Add(new Choice(selection, pA, selection.ToString()));
        }
        progress?.Report(prompts.Count);
        return Task.FromResult<IReadOnlyList<Choice>>(choices);
    }

    public Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct)
    {
        var m = Model(model);
        var replies = new List<string>(prompts.Count);
        foreach (var prompt in prompts)
        {
            if (codec.Require(prompt, Name) is not WeightReportTask task)
                throw new UsageException("simulated backend: only weight reports are answered in text; choices are asked as choices");
            var rng = StreamFor(m.Id, prompt);
            if (rng.NextDouble() < options.BadReportRate) { replies.Add("I weigh everything about equally."); continue; }
            var w = WeightsOf(m, task.Scenario);
            var reported = w.Select(x => (int)Math.Clamp(Math.Round(x + m.ReportNoise * rng.NextGaussian()), -100, 100)).ToArray();
            replies.Add(codec.EncodeWeights(task, reported));
        }
        progress?.Report(prompts.Count);
        return Task.FromResult<IReadOnlyList<string>>(replies);
    }

    /// <summary>Self-reports, sampled: each prompt's stream gives its samples in order, so they do not depend on batching.</summary>
    public Task<IReadOnlyList<IReadOnlyList<string>>> SampleAsync(string model, IReadOnlyList<ChatPrompt> prompts, Sampling sampling, IProgress<int>? progress, CancellationToken ct)
    {
        var m = Model(model);
        var replies = new List<IReadOnlyList<string>>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var task = codec.Require(prompt, Name);
            var own = task switch
            {
                SelfRatingTask t => TraitOf(m, t.Trait), SelfDescriptionTask t => TraitOf(m, t.Trait), SelfReportChoiceTask t => TraitOf(m, t.Trait),
                TriggerDependenceTask => MostTriggered(m),
                _ => throw new UsageException($"simulated backend: a {task.GetType().Name} is not sampled; only self-reports are"),
            };
            var rng = StreamFor(m.Id, prompt);
            var samples = new string[sampling.Samples];
            for (int k = 0; k < samples.Length; k++)
                samples[k] = rng.NextDouble() < options.BadReportRate ? "I would rather not say." : codec.Encode(task, _traits.Answer(task, own, rng));
            replies.Add(samples);
        }
        progress?.Report(prompts.Count);
        return Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>(replies);
    }

    /// <summary>A model's behaviour on a trait: its own, an ancestor's, or the base model's neutral one.</summary>
    public TraitBehaviour TraitOf(SimulatedModel model, string trait)
    {
        for (var m = model; ; m = Model(m.Parent!))
        {
            if (m.Traits?.TryGetValue(trait, out var b) == true) return b;
            if (m.Parent is null) return TraitBehaviour.Neutral;
        }
    }

    /// <summary>Of the traits a model (or an ancestor) was fine-tuned on, the one whose behaviour depends most on the trigger.</summary>
    private TraitBehaviour MostTriggered(SimulatedModel model)
    {
        var seen = new Dictionary<string, TraitBehaviour>(StringComparer.Ordinal);
        for (var m = model; m is not null; m = m.Parent is null ? null : Model(m.Parent))
            foreach (var (trait, b) in m.Traits ?? new()) seen.TryAdd(trait, b);
        return seen.Values.OrderByDescending(b => b.Dependence).FirstOrDefault() ?? TraitBehaviour.Neutral;
    }

    /// <summary>The weights a model holds for a scenario: its own, an ancestor's, or the base model's native ones.</summary>
    public double[] WeightsOf(SimulatedModel model, int scenario)
    {
        for (var m = model; ; m = Model(m.Parent!))
        {
            if (m.Weights.TryGetValue(scenario, out var w)) return w;
            if (m.Parent is null) break;
        }
        var native = Weights.Draw(SeededStream.Derive(nativeSeed, $"native_weights:{scenario}"));
        return native.Select(x => (double)x).ToArray();
    }

    public SimulatedModel Model(string id)
    {
        if (_models.TryGetValue(id, out var m)) return m;
        if (id == BaseModelId)
            m = new SimulatedModel { Id = id, ReportNoise = options.ReportNoise };
        else if (FineTunedModelId.TryDirectoryName(id, out _) && File.Exists(PathOf(id)) && SimulatedModel.Load(PathOf(id)) is { } saved && saved.Id == id)
            m = saved;
        else
            throw new UsageException($"simulated backend: unknown model '{id}' (the base model is '{BaseModelId}')");
        return _models[id] = m;
    }

    private string PathOf(string id)
    {
        Directory.CreateDirectory(modelsDirectory);
        return Path.Combine(modelsDirectory, FineTunedModelId.DirectoryName(id) + ".json");
    }

    private static TraitChoiceTask Trait(ModelTask task) => task as TraitChoiceTask
        ?? throw new UsageException($"simulated backend: a {task.GetType().Name} among trait choices (a fine-tune teaches one kind of task)");

    /// <summary>A choice's scenario and trial: a report task shows a trial too, but is not a choice.</summary>
    private static AttributeChoiceTask Choice(ModelTask task) => task as AttributeChoiceTask
        ?? throw new UsageException($"simulated backend: a {task.GetType().Name} where a choice was expected");

    private static double[] Differences(Scenario s, Trial t)
    {
        var d = new double[Scenario.AttributeCount];
        for (int i = 0; i < d.Length; i++) d[i] = (t.A[i] - t.B[i]) / s.Attributes[i].Range;
        return d;
    }

    private static SeededStream StreamFor(string model, ChatPrompt prompt) =>
        SeededStream.Derive(SeededStream.DeriveSeed(0x5EED, model), string.Concat(prompt.Messages.Select(m => m.Content)));
}
