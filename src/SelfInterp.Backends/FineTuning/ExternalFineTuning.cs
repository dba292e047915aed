using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// Fine-tuning by any trainer outside SelfInterp (TRL, Axolotl, Unsloth, Tinker, ...): nothing is trained here; the
/// run stops before the first fine-tune whose model is not registered, naming what to train (docs/open-weight.md).
/// </summary>
public sealed class ExternalFineTuning : IFineTuningProvider
{
    public string Name => FineTuneProviders.External;

    public Task<string> RunAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) =>
        throw new FineTuneElsewhereException(request);

    public Task<string> CancelAsync(string jobId, CancellationToken ct) =>
        throw new Core.Runs.UsageException($"job {jobId}: with --fine-tune external, jobs run in your own trainer; stop them there");
}
