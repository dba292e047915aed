using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// Who trains the models of a run whose inference goes through an OpenAI-compatible API: OpenAI's jobs, Together's,
/// or a trainer outside SelfInterp. Inference never depends on the choice: any compatible base URL serves the result.
/// </summary>
public interface IFineTuningProvider
{
    /// <summary>openai, together or external: the run config's fine_tune.</summary>
    string Name { get; }

    /// <summary>Trains (or re-attaches to <see cref="FineTuneRequest.ExistingJobId"/>) and returns the model id to ask for inference.</summary>
    Task<string> RunAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct);

    /// <summary>Asks the service to stop a job; the job's state after the request.</summary>
    Task<string> CancelAsync(string jobId, CancellationToken ct);
}

/// <summary>The names `--fine-tune` takes.</summary>
public static class FineTuneProviders
{
    public const string OpenAI = "openai", Together = "together", External = "external";
    public static readonly string[] Names = [OpenAI, Together, External];
}
