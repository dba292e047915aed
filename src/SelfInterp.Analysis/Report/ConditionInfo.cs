using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Report;

/// <summary>
/// How the report names and colours each report measure (the keys of <see cref="Summary.ReportStatistics.Named"/>),
/// which pipeline stage's replies hold its raw text, and the published slopes for GPT-4o and GPT-4o-mini
/// (PROTOCOL.md, "Published results"; null where the paper gives none).
/// </summary>
public sealed record ConditionInfo(
    string Key, string Label, string Description, string Group, string Colour,
    ReportCondition? File, string? Stage, double? PaperGpt4o, double? PaperGpt4oMini)
{
    /// <summary>In the order of the paper's main figure: control, instilled, held-out (and its halves), native.</summary>
    public static readonly IReadOnlyList<ConditionInfo> All =
    [
        new("base", "base model (control)", "the base model reports on the instilled scenarios: it never learned those weights",
            "control", Palette.Grey, ReportCondition.Base, "reports_base", 0.10, -0.01),
        new("instilled", "instilled model", "the instilled model reports on its instilled scenarios",
            "instilled, before itraining", Palette.Blue, ReportCondition.Instilled, "reports_instilled", 0.54, 0.50),
        new("itrained_held_out", "itrained, held-out", "both half-itrained models on the half they were not trained on, pooled",
            "itrained, held-out", Palette.Vermillion, null, null, 0.74, 0.75),
        new("itrained_first_half", "itrained 1st half, reports on 2nd", "itrained on the first half of the instilled scenarios, reports on the second",
            "itrained halves", Palette.Orange, ReportCondition.ItrainedFirstHalf, "reports_itrained_first", null, null),
        new("itrained_second_half", "itrained 2nd half, reports on 1st", "itrained on the second half of the instilled scenarios, reports on the first",
            "itrained halves", Palette.Orange, ReportCondition.ItrainedSecondHalf, "reports_itrained_last", null, null),
        new("native_before", "native, before itraining", "the instilled model reports its native weights (scenarios never instilled)",
            "native, before itraining", Palette.SkyBlue, ReportCondition.NativeBefore, "reports_native_before", 0.46, 0.40),
        new("native_after", "native, after itraining", "the model itrained on all instilled scenarios reports its native weights",
            "native, after itraining", Palette.BluishGreen, ReportCondition.NativeAfter, "reports_native_after", 0.71, 0.70),
    ];

    public static ConditionInfo Of(string key) =>
        All.FirstOrDefault(c => c.Key == key) ?? throw new ArgumentException($"unknown report measure '{key}'");

    /// <summary>Published instillation r (learned vs target weights).</summary>
    public const double PaperInstillationGpt4o = 0.84, PaperInstillationGpt4oMini = 0.87;
}
