namespace SelfInterp.Core.Backends;

/// <summary>
/// Thrown by a backend whose fine-tuning happens outside SelfInterp (any trainer): the run stops before this
/// fine-tune, everything done so far kept. The pipeline replaces it with one naming every fine-tune still to do.
/// </summary>
public sealed class FineTuneElsewhereException(string message, IReadOnlyList<PendingFineTune> pending) : Exception(message)
{
    public IReadOnlyList<PendingFineTune> Pending { get; } = pending;

    public FineTuneElsewhereException(FineTuneRequest request)
        : this($"fine-tune {request.Name} elsewhere", [PendingFineTune.Of(request, request.BaseModel)]) { }
}

/// <summary>A fine-tune for an outside trainer: what to train on and from which model, and where to register it.</summary>
/// <param name="FromModel">The model id to start from, or null when that model is itself still to be trained.</param>
/// <param name="TeachesReports">The examples' answers are weight reports (introspection training), not choices.</param>
public sealed record PendingFineTune(
    string Key, string FromKey, string? FromModel, bool TeachesReports, string TrainingFile, string? ValidationFile, int Examples, ulong Seed)
{
    public static PendingFineTune Of(FineTuneRequest r, string? fromModel, string fromKey = "") =>
        new(r.Name, fromKey, fromModel, r.TeachesReports, r.TrainingFile, r.ValidationFile, r.Examples.Count, r.Seed);
}
