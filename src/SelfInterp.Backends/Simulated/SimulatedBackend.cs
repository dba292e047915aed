using SelfInterp.Core.Backends;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// No language model at all: a host of the agents an experiment brings (<see cref="ISimulatedSubject"/>), each an
/// ideal subject of that experiment's tasks. "Fine-tuning" asks the agent that serves the examples' tasks what the
/// new model learns; a choice is drawn from the agent's P(A); a text reply is the agent's answer as the experiment's
/// codec words it, or, at <see cref="SimulatedOptions.BadReportRate"/>, no answer at all. It runs a protocol in
/// seconds, shows the measurement's noise ceiling, and tests the orchestration without a real model. Every draw is
/// seeded by the model id and the prompt, so answers do not depend on batching or resumption.
/// </summary>
public sealed class SimulatedBackend : IModelBackend
{
    public const string BaseModelId = "simulated-base";
    public string Name => "simulated";
    public IReadOnlyCollection<Type>? ServedTasks { get; }

    /// <summary>The agents it hosts: those the experiment's codec brings.</summary>
    public IReadOnlyList<ISimulatedAgent> Agents { get; }

    private readonly ITaskCodec _codec;
    private readonly SimulatedOptions _options;
    private readonly string _modelsDirectory;
    private readonly ulong _nativeSeed;
    private readonly Dictionary<string, SimulatedModel> _models = new(StringComparer.Ordinal);

    /// <param name="codec">The experiment's codec; its agents are hosted when it brings some.</param>
    /// <param name="options">Backend options as given (<c>--option KEY=VALUE</c>): the shared knobs and the agents' own.</param>
    public SimulatedBackend(ITaskCodec codec, IReadOnlyDictionary<string, string> options, string modelsDirectory, ulong nativeSeed)
    {
        _codec = codec;
        _modelsDirectory = modelsDirectory;
        _nativeSeed = nativeSeed;
        var probe = new SimulatedSetup(new SimulatedOptions(), options, nativeSeed);
        var agentKeys = (codec as ISimulatedSubject)?.SimulatedAgents(probe).SelectMany(a => a.OptionKeys).ToList() ?? [];
        _options = SimulatedOptions.From(options, agentKeys);
        Agents = (codec as ISimulatedSubject)?.SimulatedAgents(probe with { Options = _options }) ?? [];
        ServedTasks = Agents.SelectMany(a => a.Tasks).Distinct().ToList();
    }

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
    {
        var parent = Lineage(request.BaseModel);
        var tasks = request.Examples.Select(e => _codec.Require(e.Prompt, Name)).ToList();
        var agent = AgentFor(tasks[0]);
        if (tasks.FirstOrDefault(t => !agent.Tasks.Contains(t.GetType())) is { } other)
            throw new UsageException($"simulated backend: a {other.GetType().Name} among {tasks[0].GetType().Name}s (a fine-tune teaches one agent's tasks)");
        // Named by what fixes the model: a job on other data never shares its file. The noise knobs are this
        // backend instance's settings, like a service's sampling, and stay out of the id: the power analysis
        // relies on one id per job across noise levels (PowerReplicate), and a job here is always trained afresh.
        string id = FineTunedModelId.Create(request.BaseModel, request.Name, new ContentHash()
            .Add("trainer", "simulated-v1")
            .Add("base_model", request.BaseModel)
            .Add("prior_scale", _options.PriorScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Add("native_seed", _nativeSeed.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("kind", agent.Kind(tasks))
            .Add("training_data", Core.Datasets.ChatJsonl.Bytes(request.Examples))
            .Add("name", request.Name)
            .Add("seed", request.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var model = new SimulatedModel { Id = id, Parent = parent.Id };
        model.Agents[agent.Name] = agent.Learn(parent, request.Examples.Select((e, i) => (tasks[i], e.Answer)).ToList(), ct);
        model.Save(PathOf(id));
        _models[id] = model;
        progress?.Report(1);
        return Task.FromResult(id);
    }

    public Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct)
    {
        var m = Lineage(model);
        var choices = new List<Choice>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var task = _codec.Require(prompt, Name);
            if (!task.IsChoice) throw new UsageException($"simulated backend: a {task.GetType().Name} where a choice was expected");
            double pA = AgentFor(task).ProbabilityA(m, task);
            char selection = StreamFor(m.Id, prompt).NextDouble() < pA ? 'A' : 'B';
            choices.Add(new Choice(selection, pA, selection.ToString()));
        }
        progress?.Report(prompts.Count);
        return Task.FromResult<IReadOnlyList<Choice>>(choices);
    }

    public Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct)
    {
        var m = Lineage(model);
        var replies = new List<string>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var task = SelfReport(prompt);
            var rng = StreamFor(m.Id, prompt);
            replies.Add(rng.NextDouble() < _options.BadReportRate ? "I weigh everything about equally." : _codec.Encode(task, AgentFor(task).Answer(m, task, rng)));
        }
        progress?.Report(prompts.Count);
        return Task.FromResult<IReadOnlyList<string>>(replies);
    }

    /// <summary>Self-reports, sampled: each prompt's stream gives its samples in order, so they do not depend on batching.</summary>
    public Task<IReadOnlyList<IReadOnlyList<string>>> SampleAsync(string model, IReadOnlyList<ChatPrompt> prompts, Sampling sampling, IProgress<int>? progress, CancellationToken ct)
    {
        var m = Lineage(model);
        var replies = new List<IReadOnlyList<string>>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var task = SelfReport(prompt);
            var rng = StreamFor(m.Id, prompt);
            var samples = new string[sampling.Samples];
            for (int k = 0; k < samples.Length; k++)
                samples[k] = rng.NextDouble() < _options.BadReportRate ? "I would rather not say." : _codec.Encode(task, AgentFor(task).Answer(m, task, rng));
            replies.Add(samples);
        }
        progress?.Report(prompts.Count);
        return Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>(replies);
    }

    /// <summary>A model and its ancestors, itself first.</summary>
    public SimulatedLineage Lineage(string id)
    {
        var line = new List<SimulatedModel>();
        for (var m = Model(id); ; m = Model(m.Parent))
        {
            line.Add(m);
            if (m.Parent is null) return new SimulatedLineage(line);
        }
    }

    public SimulatedModel Model(string id)
    {
        if (_models.TryGetValue(id, out var m)) return m;
        if (id == BaseModelId)
            m = new SimulatedModel { Id = id };
        else if (FineTunedModelId.TryDirectoryName(id, out _) && File.Exists(PathOf(id)) && SimulatedModel.Load(PathOf(id)) is { } saved && saved.Id == id)
            m = saved;
        else
            throw new UsageException($"simulated backend: unknown model '{id}' (the base model is '{BaseModelId}')");
        return _models[id] = m;
    }

    private ModelTask SelfReport(ChatPrompt prompt)
    {
        var task = _codec.Require(prompt, Name);
        return task.IsSelfReport ? task
            : throw new UsageException($"simulated backend: a {task.GetType().Name} is asked as a choice; only self-reports are answered in text");
    }

    private ISimulatedAgent AgentFor(ModelTask task) => Agents.FirstOrDefault(a => a.Tasks.Contains(task.GetType()))
        ?? throw new UsageException($"simulated backend: no agent of this experiment answers {task.GetType().Name} tasks");

    private string PathOf(string id)
    {
        Directory.CreateDirectory(_modelsDirectory);
        return Path.Combine(_modelsDirectory, FineTunedModelId.DirectoryName(id) + ".json");
    }

    private static SeededStream StreamFor(string model, ChatPrompt prompt) =>
        SeededStream.Derive(SeededStream.DeriveSeed(0x5EED, model), string.Concat(prompt.Messages.Select(m => m.Content)));
}
