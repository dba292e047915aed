using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.Tests;

/// <summary>Throws as if the process were killed after a number of backend calls.</summary>
internal sealed class DyingBackend(IModelBackend inner, int callsBeforeDeath) : IModelBackend
{
    private int _calls;
    public string Name => inner.Name;
    public IReadOnlyCollection<Type>? ServedTasks => inner.ServedTasks;
    private void Tick() { if (++_calls > callsBeforeDeath) throw new OperationCanceledException("killed"); }
    public Task<string> FineTuneAsync(FineTuneRequest r, IProgress<double>? p, CancellationToken ct) { Tick(); return inner.FineTuneAsync(r, p, ct); }
    public Task<IReadOnlyList<Choice>> ChooseAsync(string m, IReadOnlyList<ChatPrompt> ps, IProgress<int>? p, CancellationToken ct) { Tick(); return inner.ChooseAsync(m, ps, p, ct); }
    public Task<IReadOnlyList<string>> CompleteAsync(string m, IReadOnlyList<ChatPrompt> ps, int t, IProgress<int>? p, CancellationToken ct) { Tick(); return inner.CompleteAsync(m, ps, t, p, ct); }
    public Task<IReadOnlyList<IReadOnlyList<string>>> SampleAsync(string m, IReadOnlyList<ChatPrompt> ps, Sampling s, IProgress<int>? p, CancellationToken ct) { Tick(); return inner.SampleAsync(m, ps, s, p, ct); }
}
