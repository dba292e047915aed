using System.Globalization;

namespace SelfInterp.Core.Pipeline;

/// <summary>The checks of <see cref="ReplyChecks"/>, applied to a stage's replies after its file is written.</summary>
public static class ReplyCheck
{
    private const string GoOn = "The stage's replies are kept in replies/; to go on anyway, run the same command with --keep-going.";

    private const string FormatCause = "The model does not answer in the protocol's format " +
        "(a wrong chat template, a model that lost the format in fine-tuning, or too few max tokens).";

    /// <summary>Stops when more than <paramref name="maxShare"/> of the replies are unreadable, showing a few; the
    /// <paramref name="cause"/> (default: the format) says why they might be.</summary>
    public static void Unreadable(string stage, string what, IReadOnlyList<string?> badReplies, int total, double maxShare, string? cause = null)
    {
        if (total == 0 || badReplies.Count <= maxShare * total) return;
        var shown = string.Join("; ", badReplies.Take(3).Select(r => Quote(r ?? "")));
        throw new ReplyCheckException(
            $"{stage}: {badReplies.Count} of {total} replies ({Percent(badReplies.Count, total)}) are not {what} " +
            $"(the limit is {Percent(maxShare)}), e.g. {shown}. {cause ?? FormatCause} {GoOn}");
    }

    /// <summary>Stops when the instilled model's choices agree with the target weights on too few validation trials.</summary>
    public static void Agreement(string stage, int agree, int readable, double minAgreement)
    {
        if (readable == 0 || agree >= minAgreement * readable) return;
        throw new ReplyCheckException(
            $"{stage}: instillation failed: the instilled model's choices agree with the target weights on {agree} of {readable} " +
            $"validation trials ({Percent(agree, readable)}; chance is 50%, the least accepted {Percent(minAgreement)}). " +
            "Its reports could not mean anything, so the run stops before paying for introspection training and the other stages. " +
            "Try more epochs, a higher learning rate or a larger LoRA rank (the Qwen replication: r 64, α 128, lr 5e-5 × 3 epochs). " + GoOn);
    }

    private static string Percent(int part, int whole) => Percent((double)part / whole);
    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Quote(string reply)
    {
        var oneLine = reply.ReplaceLineEndings(" ");
        return "\"" + (oneLine.Length > 80 ? oneLine[..80] + "…" : oneLine) + "\"";
    }
}
