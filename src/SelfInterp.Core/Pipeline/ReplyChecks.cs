namespace SelfInterp.Core.Pipeline;

/// <summary>
/// When a run stops early instead of paying for stages whose results could mean nothing: an instilled model that
/// chooses like a coin (instillation failed, as it did for Llama-3.2 and Gemma-3 with LoRA r16), or a model whose
/// replies are mostly not A/B or not a report (a Qwen run whose instilled model stopped writing JSON).
/// </summary>
/// <param name="MinAgreement">Least share of the instilled model's choices on the instilled scenarios' validation
/// trials that must agree with the target weights' choice; chance is 0.5.</param>
/// <param name="MaxUnreadableChoices">Largest share of choice replies that are neither A nor B.</param>
/// <param name="MaxBadReports">Largest share of reports in one stage that are not a valid report.</param>
public sealed record ReplyChecks(double MinAgreement = 0.6, double MaxUnreadableChoices = 0.1, double MaxBadReports = 0.5)
{
    public static readonly ReplyChecks Default = new();

    /// <summary>Never stop: for deliberate runs on a model known to fail, and for plumbing tests on untrained organisms.</summary>
    public static readonly ReplyChecks Off = new(0, 1, 1);
}

/// <summary>A check of <see cref="ReplyChecks"/> failed: the run stops here; the same command with the checks
/// off (--keep-going) goes on from the same place.</summary>
public sealed class ReplyCheckException(string message) : Exception(message);
