using System.Text.RegularExpressions;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.Tests;

/// <summary>The simulated backend, except for the replies a test replaces or rewrites; counts fine-tunes.</summary>
internal sealed class RiggedBackend(IModelBackend inner, Func<ChatPrompt, Choice>? choose = null, Func<ChatPrompt, string>? complete = null,
    Func<string, string>? rewriteReply = null) : IModelBackend
{
    public int FineTunes;
    public string Name => inner.Name;
    public IReadOnlyCollection<Type>? ServedTasks => inner.ServedTasks;

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct)
    {
        Interlocked.Increment(ref FineTunes);
        return inner.FineTuneAsync(request, progress, ct);
    }

    public async Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct) =>
        choose is null || model == SimulatedBackend.BaseModelId ? await inner.ChooseAsync(model, prompts, progress, ct) : prompts.Select(choose).ToList();

    public async Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct) =>
        complete is not null ? prompts.Select(complete).ToList()
        : (await inner.CompleteAsync(model, prompts, maxTokens, progress, ct)).Select(rewriteReply ?? (r => r)).ToList();

    /// <summary>A reply with every number in it made 999: a report that parses, off the scale it was asked on.</summary>
    public static string EveryNumberOffTheScale(string reply) => Regex.Replace(reply, @"-?\d+(\.\d+)?", "999");
}
