using SelfInterp.Core.Backends;
using SelfInterp.Core.Prompts;

namespace SelfInterp.Backends.ChatClient;

/// <summary>
/// Tells a decision prompt (answered by a choice between A and B) from any other, for callers that get prompts
/// as bare text: the HTTP server and the IChatClient adapter. A prompt the pipeline made carries its kind in
/// <see cref="ChatPrompt.Meta"/>'s absence only as text, so the templates are read back.
/// </summary>
public static class DecisionPrompts
{
    public static Func<ChatPrompt, bool> Classifier(PromptReader reader) =>
        prompt => reader.TryRead(prompt, out var read) && read.Kind == PromptKind.Decision;
}
