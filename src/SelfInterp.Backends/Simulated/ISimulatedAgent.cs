using System.Text.Json.Nodes;
using SelfInterp.Core.Random;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// An experiment's simulated subject, hosted by the simulated backend: how an ideal agent learns from fine-tuning
/// examples of the experiment's tasks and answers them. The backend knows no task; it asks the agent that serves a
/// prompt's task. An agent keeps what a model learnt as a JSON state under its <see cref="Name"/> in the model file;
/// a model's answers come from its own state and its ancestors' (<see cref="SimulatedLineage"/>).
/// </summary>
public interface ISimulatedAgent
{
    /// <summary>Key of the agent's state in a simulated model file.</summary>
    string Name { get; }

    /// <summary>The task kinds the agent answers.</summary>
    IReadOnlyCollection<Type> Tasks { get; }

    /// <summary>Backend options (<c>--option KEY=VALUE</c>) the agent reads beyond <see cref="SimulatedOptions.Keys"/>.</summary>
    IReadOnlyList<string> OptionKeys => [];

    /// <summary>What a fine-tune on these tasks teaches, in a word; part of the model id, so a job on other data
    /// never shares a model file.</summary>
    string Kind(IReadOnlyList<ModelTask> tasks);

    /// <summary>The state a model fine-tuned from <paramref name="parent"/> on <paramref name="examples"/> holds.</summary>
    JsonNode Learn(SimulatedLineage parent, IReadOnlyList<(ModelTask Task, string Answer)> examples, CancellationToken ct);

    /// <summary>P(A) of a choice task.</summary>
    double ProbabilityA(SimulatedLineage model, ModelTask task);

    /// <summary>A reply to a self-report task, as data (the experiment's codec words it).</summary>
    TaskAnswer Answer(SimulatedLineage model, ModelTask task, SeededStream rng);
}

/// <summary>An experiment's task codec that brings its simulated agents: the simulated backend hosts them.</summary>
public interface ISimulatedSubject
{
    IReadOnlyList<ISimulatedAgent> SimulatedAgents(SimulatedSetup setup);
}

/// <param name="Options">The backend's shared knobs.</param>
/// <param name="Raw">Every backend option as given, for an agent's own keys (<see cref="ISimulatedAgent.OptionKeys"/>).</param>
/// <param name="NativeSeed">Seeds what the base model holds before any fine-tuning.</param>
public sealed record SimulatedSetup(SimulatedOptions Options, IReadOnlyDictionary<string, string> Raw, ulong NativeSeed);
