using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SelfInterp.Experiments.Preferences.Power;

/// <summary>A power analysis as a text table (one row per grid point) or as JSON for machines.</summary>
public static class PowerReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Table(PowerResult result)
    {
        var g = result.Grid;
        var sb = new StringBuilder();
        sb.AppendLine($"power by simulation: {g.Replicates} replicates per point, {g.Reports} reports per scenario, seed {g.Seed}; " +
                      "mean [2.5%, 97.5%] across replicates");
        sb.AppendLine($"{"scen",5} {"trials",6} {"c.noise",7} {"r.noise",7}  {"instillation r",-22} {"instilled slope",-22} " +
                      $"{"slope CI width",-14} {"held-out slope",-22} {"itraining effect",-24} {"excl. 0",7} {"failed",6}");
        foreach (var c in result.Cells)
        {
            var p = c.Cell;
            sb.AppendLine($"{p.Scenarios,5} {p.Trials,6} {Num(p.ChoiceNoise),7} {Num(p.ReportNoise),7}  {Dist(c.InstillationR),-22} " +
                          $"{Dist(c.InstilledSlope),-22} {F(c.InstilledIntervalWidth.Mean),-14} {Dist(c.HeldOutSlope),-22} " +
                          $"{Dist(c.ItrainingEffect),-24} {c.EffectExcludesZeroRate.ToString("P0", Inv),7} {c.MeanFailedScenarios.ToString("0.#", Inv),6}");
        }
        sb.AppendLine("excl. 0: share of replicates whose itraining-effect interval excludes 0; failed: mean scenarios the analysis could not fit.");
        sb.AppendLine($"elapsed: {result.ElapsedSeconds.ToString("0.0", Inv)} s");
        return sb.ToString();
    }

    public static string Json(PowerResult result)
    {
        var g = result.Grid;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("elapsed_s", Math.Round(result.ElapsedSeconds, 3));
            w.WriteNumber("seed", g.Seed);
            w.WriteNumber("replicates", g.Replicates);
            w.WriteNumber("reports", g.Reports);
            w.WriteStartArray("cells");
            foreach (var c in result.Cells)
            {
                w.WriteStartObject();
                w.WriteNumber("scenarios", c.Cell.Scenarios);
                w.WriteNumber("trials", c.Cell.Trials);
                w.WriteNumber("choice_noise", c.Cell.ChoiceNoise);
                w.WriteNumber("report_noise", c.Cell.ReportNoise);
                Write(w, "instillation_r", c.InstillationR);
                Write(w, "instilled_slope", c.InstilledSlope);
                Write(w, "instilled_ci95_width", c.InstilledIntervalWidth);
                Write(w, "itrained_held_out_slope", c.HeldOutSlope);
                Write(w, "itraining_effect", c.ItrainingEffect);
                w.WriteNumber("itraining_effect_excludes_zero", c.EffectExcludesZeroRate);
                w.WriteNumber("failed_scenarios_mean", c.MeanFailedScenarios);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    /// <summary>{"mean", "p2_5", "p97_5", "n"}; a statistic no replicate had is null.</summary>
    private static void Write(Utf8JsonWriter w, string name, Distribution d)
    {
        w.WriteStartObject(name);
        Number(w, "mean", d.Mean);
        Number(w, "p2_5", d.Low);
        Number(w, "p97_5", d.High);
        w.WriteNumber("n", d.N);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 4));
        else w.WriteNull(name);
    }

    private static string Dist(Distribution d) => d.N == 0 ? "-" : $"{F(d.Mean)} [{F(d.Low)}, {F(d.High)}]";
    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", Inv) : "-";
    private static string Num(double v) => v.ToString("0.##", Inv);
}
