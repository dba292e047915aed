using System.Globalization;

namespace SelfInterp.Backends.Simulated;

/// <summary>
/// The simulated observer's knobs. ChoiceNoise: scale of the logistic noise on the utility difference (utility
/// units: a weight of 100 on an attribute spanning its whole range is worth 100). ReportNoise: s.d. of the
/// Gaussian noise on each reported weight (0 = perfect introspection). ItrainingNoiseFactor: introspection
/// training multiplies the report noise by this. BadReportRate: share of replies that are not JSON (or, for sampled
/// self-reports, not an answer at all).
/// Behavioural traits (the behaviour experiment's agent): SelfAwareness (0..1) mixes how far self-reports follow the agent's
/// own behaviour (1) or stay at the base model's (0: not self-aware); RatingNoise: s.d. of a 0–100 self-rating;
/// RatingBias: added to every self-rating (may be negative); AnswerNoise: share of one-word and multiple-choice
/// self-reports answered at random; BehaviourPrior: pseudo-examples of the parent's behaviour that fine-tuning
/// data is weighed against.
/// </summary>
public sealed record SimulatedOptions(
    double ChoiceNoise = 10,
    double ReportNoise = 30,
    double ItrainingNoiseFactor = 0.5,
    double BadReportRate = 0,
    double PriorScale = 5,
    double SelfAwareness = 1,
    double RatingNoise = 15,
    double RatingBias = 0,
    double AnswerNoise = 0.1,
    double BehaviourPrior = 10)
{
    /// <summary>The backend options the simulated backend reads; any other key is refused.</summary>
    public static readonly string[] Keys =
    [
        "choice_noise", "report_noise", "itraining_noise_factor", "bad_report_rate", "self_awareness", "rating_noise",
        "rating_bias", "answer_noise", "behaviour_prior",
    ];

    /// <param name="agentKeys">Keys the experiment's agents read themselves (<see cref="ISimulatedAgent.OptionKeys"/>).</param>
    public static SimulatedOptions From(IReadOnlyDictionary<string, string> options, IEnumerable<string>? agentKeys = null)
    {
        Core.Runs.KnownKeys.Check(options.Keys, Keys.Concat(agentKeys ?? []).ToArray(), "--option for the simulated backend");
        var o = new SimulatedOptions();
        double Get(string key, double fallback)
        {
            if (!options.TryGetValue(key, out var s)) return fallback;
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0) return v;
            throw new Core.Runs.UsageException($"backend option '{key}': '{s}' is not a non-negative number");
        }
        double Share(string key, double fallback) => Get(key, fallback) is var v && v <= 1 ? v
            : throw new Core.Runs.UsageException($"backend option '{key}': '{options[key]}' is not between 0 and 1");
        double Signed(string key, double fallback)
        {
            if (!options.TryGetValue(key, out var s)) return fallback;
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
            throw new Core.Runs.UsageException($"backend option '{key}': '{s}' is not a number");
        }
        return o with
        {
            ChoiceNoise = Get("choice_noise", o.ChoiceNoise),
            ReportNoise = Get("report_noise", o.ReportNoise),
            ItrainingNoiseFactor = Get("itraining_noise_factor", o.ItrainingNoiseFactor),
            BadReportRate = Share("bad_report_rate", o.BadReportRate),
            SelfAwareness = Share("self_awareness", o.SelfAwareness),
            RatingNoise = Get("rating_noise", o.RatingNoise),
            RatingBias = Signed("rating_bias", o.RatingBias),
            AnswerNoise = Share("answer_noise", o.AnswerNoise),
            BehaviourPrior = Get("behaviour_prior", o.BehaviourPrior),
        };
    }
}
