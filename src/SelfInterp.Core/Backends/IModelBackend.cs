using SelfInterp.Core.Tasks;

namespace SelfInterp.Core.Backends;

/// <summary>
/// A model we can fine-tune and ask: the one interface the pipeline talks to, whatever serves the model
/// (the simulated observer, the local engine, or an OpenAI-compatible service).
/// Calls take whole batches so a backend can share work (a prompt prefix, a pool of HTTP requests).
/// </summary>
public interface IModelBackend
{
    /// <summary>Short name: simulated, local, openai.</summary>
    string Name { get; }

    /// <summary>What computes this backend's answers and fine-tunes where that is known here (the local engine's GEMM,
    /// threads, CPU), recorded in run.json; null for a remote service.</summary>
    IReadOnlyDictionary<string, string>? Compute => null;

    /// <summary>
    /// The task kinds this backend can answer, or null for any (a text model answers whatever it is asked).
    /// The runner checks an experiment's <see cref="ITaskCodec.TaskKinds"/> against it before any work.
    /// </summary>
    IReadOnlyCollection<Type>? ServedTasks { get; }

    /// <summary>Fine-tunes <see cref="FineTuneRequest.BaseModel"/> and returns the new model's id.</summary>
    Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct);

    /// <summary>One choice per prompt: the answer to a decision prompt, with P(A) where the backend can give it.</summary>
    Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct);

    /// <summary>One reply per prompt, at temperature 0.</summary>
    Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct);

    /// <summary>
    /// <see cref="Sampling.Samples"/> replies per prompt, drawn at <see cref="Sampling.Temperature"/> (self-reports are
    /// sampled, as the behavioural self-awareness studies do). Backends that cannot sample refuse by name; the runner
    /// keeps them from experiments that need it through <see cref="ServedTasks"/>.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<string>>> SampleAsync(string model, IReadOnlyList<ChatPrompt> prompts, Sampling sampling, IProgress<int>? progress, CancellationToken ct) =>
        throw new Runs.UsageException($"the {Name} backend does not sample replies at a temperature");
}

/// <summary>How to sample replies: how many per prompt, at what temperature, at most how many tokens each.</summary>
public sealed record Sampling(int Samples, double Temperature, int MaxTokens);

public sealed record ChatMessage(string Role, string Content)
{
    public static ChatMessage System(string content) => new("system", content);
    public static ChatMessage User(string content) => new("user", content);
    public static ChatMessage Assistant(string content) => new("assistant", content);
}

/// <param name="Task">What the prompt asks, as data, for backends that work from structure rather than text
/// (the simulated agent). Never sent to a remote service.</param>
public sealed record ChatPrompt(IReadOnlyList<ChatMessage> Messages, ModelTask? Task = null);

/// <summary>A selection: 'A', 'B', or '?' for a reply that was neither; P(A) when known.</summary>
public sealed record Choice(char Selection, double? ProbabilityA, string? Reply = null);

/// <summary>A fine-tuning example: the prompt and the assistant's correct answer.</summary>
public sealed record TrainingExample(ChatPrompt Prompt, string Answer);

/// <param name="BaseModel">The model to start from.</param>
/// <param name="Name">The experiment's name for the result (instilled, itrained_first, ...), used as a suffix.
/// What kind of fine-tuning it is, a backend that cares reads from the examples' tasks.</param>
/// <param name="TrainingFile">Chat JSONL of <paramref name="Examples"/>, for backends that upload files.</param>
/// <param name="ExistingJobId">A job this run already started: re-attach instead of paying twice.</param>
/// <param name="JobCreated">Called with a new job's id as soon as it exists, so the run records it.</param>
public sealed record FineTuneRequest(
    string BaseModel,
    string Name,
    string TrainingFile,
    string? ValidationFile,
    IReadOnlyList<TrainingExample> Examples,
    ulong Seed,
    string? ExistingJobId = null,
    Action<string>? JobCreated = null)
{
    /// <summary>The examples teach self-reports (introspection training) rather than choices: services that take
    /// separate hyperparameters for the two read this.</summary>
    public bool TeachesReports => Examples.Any(e => e.Prompt.Task is { IsSelfReport: true });
}
