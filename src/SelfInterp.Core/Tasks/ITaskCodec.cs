using SelfInterp.Core.Backends;

namespace SelfInterp.Core.Tasks;

/// <summary>
/// An experiment's translation between chat text and typed tasks: its prompts read back into tasks (prompts that
/// arrive as text, over HTTP or in a fine-tuning file), and answers in both directions. Backends use it instead
/// of knowing any experiment's prompt grammar.
/// </summary>
public interface ITaskCodec
{
    /// <summary>The kinds of task the experiment's prompts carry (subtypes of <see cref="ModelTask"/>).</summary>
    IReadOnlyList<Type> TaskKinds { get; }

    /// <summary>The task a prompt carries: attached by the experiment, or read back from its text; null if neither.</summary>
    ModelTask? Decode(ChatPrompt prompt);

    /// <summary>An answer to <paramref name="task"/> as the experiment words it.</summary>
    string Encode(ModelTask task, TaskAnswer answer);

    /// <summary>An answer to <paramref name="task"/> read back; false with the reason when the text is not one.</summary>
    bool TryDecode(ModelTask task, string text, out TaskAnswer? answer, out string problem);
}

/// <summary>Helpers every backend uses the same way.</summary>
public static class TaskCodecs
{
    /// <summary>The task of <paramref name="prompt"/>, or a clear error naming the backend.</summary>
    public static ModelTask Require(this ITaskCodec codec, ChatPrompt prompt, string backend) =>
        codec.Decode(prompt) ?? throw new Runs.UsageException(
            $"{backend} backend: the prompt is not one of this experiment's prompts (its task could not be read)");

    /// <summary>The task kinds of <paramref name="codec"/> that <paramref name="served"/> lacks, by name.</summary>
    public static IReadOnlyList<string> Unserved(ITaskCodec codec, IReadOnlyCollection<Type> served) =>
        codec.TaskKinds.Where(k => !served.Contains(k)).Select(k => k.Name).ToList();
}
