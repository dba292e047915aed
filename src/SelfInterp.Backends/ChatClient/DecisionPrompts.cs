using SelfInterp.Core.Backends;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Backends.ChatClient;

/// <summary>
/// Tells a choice prompt (answered by a choice between A and B) from any other, for callers that get prompts
/// as bare text: the HTTP server and the IChatClient adapter. The experiment's codec reads the task back.
/// </summary>
public static class DecisionPrompts
{
    public static Func<ChatPrompt, bool> Classifier(ITaskCodec codec) =>
        prompt => codec.Decode(prompt) is { IsChoice: true };
}
