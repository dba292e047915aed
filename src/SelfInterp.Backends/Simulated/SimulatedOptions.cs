using System.Globalization;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// The simulated observer's knobs. ChoiceNoise: scale of the logistic noise on the utility difference (utility
/// units: a weight of 100 on an attribute spanning its whole range is worth 100). ReportNoise: s.d. of the
/// Gaussian noise on each reported weight (0 = perfect introspection). ItrainingNoiseFactor: introspection
/// training multiplies the report noise by this. BadReportRate: share of replies that are not JSON.
/// </summary>
public sealed record SimulatedOptions(
    double ChoiceNoise = 10,
    double ReportNoise = 30,
    double ItrainingNoiseFactor = 0.5,
    double BadReportRate = 0,
    double PriorScale = 5)
{
    public static SimulatedOptions From(IReadOnlyDictionary<string, string> options)
    {
        var o = new SimulatedOptions();
        double Get(string key, double fallback)
        {
            if (!options.TryGetValue(key, out var s)) return fallback;
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0) return v;
            throw new Core.Runs.UsageException($"backend option '{key}': '{s}' is not a non-negative number");
        }
        return o with
        {
            ChoiceNoise = Get("choice_noise", o.ChoiceNoise),
            ReportNoise = Get("report_noise", o.ReportNoise),
            ItrainingNoiseFactor = Get("itraining_noise_factor", o.ItrainingNoiseFactor),
            BadReportRate = Get("bad_report_rate", o.BadReportRate),
        };
    }
}
