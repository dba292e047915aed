using System.Text.RegularExpressions;
using SelfInterp.Backends.OpenAI;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// OpenAI is closing fine-tuning (no new jobs for organisations that never fine-tuned from 2026-05-07, for those
/// without recent fine-tuned-model use from 2026-07-02, for everyone from 2027-01-06). A refused job creation that
/// says so becomes an error naming the ways on; the run directory keeps everything already done and paid for.
/// </summary>
public static partial class ShutdownRefusal
{
    [GeneratedRegex(@"deprecat|no longer|not (currently )?available|unavailable|shut ?down|discontinu|not (be )?allowed|disabled|retire|sunset|not eligible", RegexOptions.IgnoreCase)]
    private static partial Regex ShutdownWords();

    /// <summary>A 4xx refusal of a job creation in words of the shutdown (not a bad file or a bad hyperparameter).</summary>
    public static bool Matches(OpenAIServiceException e) =>
        e.Status is 400 or 403 or 404 or 410 && ShutdownWords().IsMatch(e.Message);

    public static OpenAIServiceException Explain(OpenAIServiceException e, string model) => new(
        $"{e.Message}\nOpenAI refused to create a fine-tuning job for '{model}': its fine-tuning is closing (no new jobs for " +
        "organisations that never fine-tuned from 2026-05-07, for those without recent fine-tuned-model use from 2026-07-02, " +
        "for everyone from 2027-01-06). Nothing already done is lost: the run directory keeps every finished stage, job id and reply. " +
        "Alternatives: --fine-tune together (Together's fine-tuning of open-weight models such as Qwen2.5-7B-Instruct, key in " +
        "TOGETHER_API_KEY), or --fine-tune external (train with any trainer, e.g. TRL with LoRA, serve with vLLM, then " +
        "`selfinterp models set`); see docs/open-weight.md. A new run directory is needed, since the fine-tuning provider is part of the run's config.",
        e.Status, e);
}
