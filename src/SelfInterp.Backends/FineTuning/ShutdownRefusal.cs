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

    /// <summary>A 403 worded as permission or access: the one public report of the refusal reads "permission denied".</summary>
    [GeneratedRegex(@"permission|access|not authori[sz]ed|forbidden", RegexOptions.IgnoreCase)]
    private static partial Regex PermissionWords();

    /// <summary>A 4xx refusal of a job creation in words of the shutdown (not a bad file or a bad hyperparameter),
    /// or a 403 in words of permission or access.</summary>
    public static bool Matches(OpenAIServiceException e) =>
        e.Status is 400 or 403 or 404 or 410 && ShutdownWords().IsMatch(e.Message)
        || e.Status == 403 && PermissionWords().IsMatch(e.Message);

    public static OpenAIServiceException Explain(OpenAIServiceException e, string model) => new(
        $"{e.Message}\nOpenAI refused to create a fine-tuning job for '{model}'{(e.Status == 403 ? " (permission refused: the way OpenAI refuses organisations it no longer lets fine-tune)" : "")}: its fine-tuning is closing (no new jobs for " +
        "organisations that never fine-tuned from 2026-05-07, for those without recent fine-tuned-model use from 2026-07-02, " +
        "for everyone from 2027-01-06). Nothing already done is lost: the run directory keeps every finished stage, job id and reply. " +
        $"Alternatives: --fine-tune together --base-model {TogetherPreflight.RecommendedBase} (Together's LoRA fine-tuning, served serverless; key in " +
        "TOGETHER_API_KEY; --dry-run shows the requests and the pre-flight first), or --fine-tune external (train with any trainer, e.g. TRL with LoRA, serve with vLLM, then " +
        "`selfinterp models set`); see docs/open-weight.md. A new run directory is needed, since the fine-tuning provider is part of the run's config.",
        e.Status, e);
}
