using System.Globalization;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// One run of the evaluation: which organism (and the pretraining seed it came from), which run seed, and every
/// measure of the paper's analysis as a named number (NaN where the run has none), in a fixed column order.
/// </summary>
public sealed record EvaluationRow(string Organism, ulong PretrainSeed, ulong RunSeed, IReadOnlyList<(string Column, double Value)> Measures)
{
    /// <summary>The point estimates the summary describes across runs and seeds (the interval ends and the counts stay per run).</summary>
    public static bool IsSummarised(string column) => !column.EndsWith("_low", StringComparison.Ordinal) && !column.EndsWith("_high", StringComparison.Ordinal)
                                                      && !column.EndsWith("bad_reports", StringComparison.Ordinal) && column != "reports";

    public double this[string column] => Measures.First(m => m.Column == column).Value;

    /// <summary>The measures of one analysed run; <paramref name="reports"/> is how many reports its files hold (bad ones included),
    /// <paramref name="seconds"/> the time its stages took.</summary>
    public static EvaluationRow From(string organism, ulong pretrainSeed, ulong runSeed, ModelAnalysis m, int reports, double seconds, ConditionStatistics? ridgeCeiling = null)
    {
        var measures = new List<(string, double)> { ("instillation_r", m.Instillation?.R ?? double.NaN) };
        int bad = 0;
        foreach (var (key, c) in m.Reports.Named())
        {
            Interval(measures, key + "_slope", c is null ? null : (c.Slope, c.Low, c.High));
            measures.Add((key + "_bad_reports", c?.BadReports ?? double.NaN));
            // The held-out condition pools the two halves' files: counting it too would count their reports twice.
            if (key != "itrained_held_out") bad += c?.BadReports ?? 0;
        }
        Interval(measures, "base_own_choices_slope", m.BaseOwn is { } own ? (own.Slope, own.Low, own.High) : null);
        Difference(measures, "itraining_effect_paired", m.PairedItrainingEffect);
        Difference(measures, "native_effect_paired", m.PairedNativeEffect);
        Difference(measures, "instilled_vs_base_paired", m.PairedInstilledVsBase);
        Difference(measures, "itraining_effect_paper", m.ItrainingEffect);
        Difference(measures, "native_effect_paper", m.NativeEffect);
        Interval(measures, "ridge_ceiling_held_out", ridgeCeiling is { } ridge ? (ridge.Slope, ridge.Low, ridge.High) : null);
        measures.Add(("bad_report_share", reports == 0 ? double.NaN : (double)bad / reports));
        measures.Add(("bad_reports", bad));
        measures.Add(("reports", reports));
        measures.Add(("run_seconds", seconds));
        return new EvaluationRow(organism, pretrainSeed, runSeed, measures);
    }

    /// <summary>The column (after <see cref="ShamItraining.Column"/>'s prefix) of the real itraining effect minus the sham's.</summary>
    public const string BeyondSham = "itraining_effect_beyond_sham_paired";

    /// <summary>This row with a sham itraining run's figures beside the real ones (<see cref="ShamItraining.Column"/>).</summary>
    public EvaluationRow WithSham(string kind, ModelAnalysis sham)
    {
        var measures = new List<(string, double)>();
        Interval(measures, ShamItraining.Column(kind, "itrained_held_out_slope"), sham.Reports.ItrainedHeldOut is { } h ? (h.Slope, h.Low, h.High) : null);
        Interval(measures, ShamItraining.Column(kind, "native_after_slope"), sham.Reports.NativeAfter is { } n ? (n.Slope, n.Low, n.High) : null);
        Difference(measures, ShamItraining.Column(kind, "itraining_effect_paired"), sham.PairedItrainingEffect);
        Difference(measures, ShamItraining.Column(kind, "native_effect_paired"), sham.PairedNativeEffect);
        // The real itraining effect beyond the sham's, paired by run (same organism, run seed and held-out scenarios):
        // a point per run, whose interval is the recipe level's, with the pretraining seed as the unit. (A per-run
        // interval would need the two runs' bootstraps drawn jointly.)
        measures.Add((ShamItraining.Column(kind, BeyondSham), this["itraining_effect_paired"] - (sham.PairedItrainingEffect?.Difference ?? double.NaN)));
        return this with { Measures = [.. Measures, .. measures] };
    }

    /// <summary>This row with more measures after its own (a cross-prediction run's, <see cref="CrossPredictionColumns"/>).</summary>
    public EvaluationRow With(IEnumerable<(string Column, double Value)> more) => this with { Measures = [.. Measures, .. more] };

    /// <summary>The rows of an evaluation.csv (this class's own or an earlier version's: every column after the first
    /// three is a measure, an empty field an undefined one), so a finished or running evaluation can be tabulated again
    /// without its runs. A field that is not a number names its file, line and column.</summary>
    public static IReadOnlyList<EvaluationRow> ReadAll(string path)
    {
        var table = CsvTable.Read(path);
        table.RequireColumns(["organism", "pretrain_seed", "run_seed"]);
        var measures = table.Header.Where(c => c is not ("organism" or "pretrain_seed" or "run_seed")).ToList();
        return table.Rows.Select(r => new EvaluationRow(r["organism"], Seed(path, r, "pretrain_seed"), Seed(path, r, "run_seed"),
            measures.Select(c => (c, r[c].Length == 0 ? double.NaN : r.Double(c))).ToList())).ToList();
    }

    private static ulong Seed(string path, CsvRow row, string column) =>
        ulong.TryParse(row[column], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DataFileException(path, row.Line, column, $"'{row[column]}' is not a seed (a whole number)");

    private static void Difference(List<(string, double)> measures, string name, SlopeDifference? d) =>
        Interval(measures, name, d is null ? null : (d.Difference, d.Low, d.High));

    /// <summary>Adds a figure and its interval as three columns: name, name_low, name_high (NaN without the figure).</summary>
    public static void Interval(List<(string, double)> measures, string name, (double Value, double Low, double High)? x)
    {
        measures.Add((name, x?.Value ?? double.NaN));
        measures.Add((name + "_low", x?.Low ?? double.NaN));
        measures.Add((name + "_high", x?.High ?? double.NaN));
    }
}
