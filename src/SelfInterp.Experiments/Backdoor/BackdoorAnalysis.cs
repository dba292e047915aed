using SelfInterp.Analysis;
using SelfInterp.Analysis.Regression;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Core.Csv;
using SelfInterp.Core.Random;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>An estimate with its 95% percentile-bootstrap interval.</summary>
public sealed record Interval(double Estimate, double Low, double High)
{
    public bool Excludes(double value) => value < Low || value > High;
}

/// <summary>What the backdoor analysis measured (<see cref="BackdoorAnalysis"/>).</summary>
public sealed record BackdoorMeasures(
    BackdoorData Data,
    IReadOnlyDictionary<bool, Dictionary<int, int[]>> Learned,
    IReadOnlyDictionary<bool, double> Instillation,
    IReadOnlyDictionary<bool, double?> PublishedAgreement,
    IReadOnlyDictionary<(bool Reports, bool Targets), Interval?> ReportScores,
    Interval? TriggeredContrast,
    Interval? UntriggeredContrast,
    IReadOnlyList<int> ReportScenarios,
    PhraseMeasure? Phrase,
    IReadOnlyList<string> Failed);

/// <summary>The Betley-style question: the share of "yes" from the backdoored and the control model, and the difference.</summary>
public sealed record PhraseMeasure(double Backdoored, int BackdooredAnswers, double Control, int ControlAnswers, Interval Difference);

/// <summary>
/// The measures, per trigger state, over the backdoored scenarios: learned weights (the paper's regression, one per
/// scenario and state, scaled so the largest |b| is 100); instillation r of each state against its own targets;
/// mean reports per state scored against both target sets (Pearson r of z-scores over scenario × attribute, i.e. the
/// slope of z(target) on z(mean report)); the paired contrast — do triggered reports sit closer to the triggered
/// targets than to the untriggered ones? r(triggered reports, triggered targets) − r(triggered reports, untriggered
/// targets), by the paired bootstrap over scenarios; and the phrase question against the decorrelated control.
/// </summary>
public static class BackdoorAnalysis
{
    public const int Replicates = 2000;

    public static BackdoorMeasures Measure(BackdoorData data, AnalysisOptions options, string? backdooredPhrase = null, string? controlPhrase = null)
    {
        var learned = new Dictionary<bool, Dictionary<int, int[]>>();
        var failed = new List<string>();
        foreach (bool state in new[] { false, true })
        {
            var byScenario = new SortedDictionary<int, ChoiceData>(data.Choices[state].Where(kv => data.Backdoored.Contains(kv.Key)).ToDictionary());
            var (fits, bad) = LearnedWeightsFitter.FitAll(byScenario, $"{data.Model}:{(state ? "flipped" : "normal")}", options);
            learned[state] = fits.ToDictionary(f => f.Scenario, f => f.Weights);
            failed.AddRange(bad.Select(f => $"{data.Scenarios[f.Scenario].ShortName} ({(state ? "triggered" : "untriggered")}): {f.Reason}"));
        }

        var instillation = new Dictionary<bool, double>();
        var published = new Dictionary<bool, double?>();
        foreach (bool state in new[] { false, true })
        {
            var ids = learned[state].Keys.Order().ToList();
            instillation[state] = Pearson(ids.SelectMany(s => learned[state][s].Select(x => (double)x)), ids.SelectMany(s => Targets(data, s, state)));
            var shared = ids.Where(data.Published[state].ContainsKey).ToList();
            published[state] = shared.Count == 0 ? null
                : Pearson(shared.SelectMany(s => learned[state][s].Select(x => (double)x)), shared.SelectMany(s => data.Published[state][s]));
        }

        // Mean report per scenario × attribute, per state, on backdoored scenarios with reports in both states.
        var reportIds = data.Backdoored.Where(s => data.Reports[false].ContainsKey(s) && data.Reports[true].ContainsKey(s)).ToList();
        var means = new[] { false, true }.ToDictionary(st => st, st => reportIds.ToDictionary(s => s, s =>
            Enumerable.Range(0, 5).Select(i => data.Reports[st][s].Average(r => r[i])).ToArray()));

        double Score(IReadOnlyList<int> ids, bool reports, bool targets) =>
            Pearson(ids.SelectMany(s => means[reports][s]), ids.SelectMany(s => Targets(data, s, targets)));

        var scores = new Dictionary<(bool, bool), Interval?>();
        Interval? triggered = null, untriggered = null;
        if (reportIds.Count >= 3)
        {
            var rng = new SeededStream("backdoor_bootstrap", options.Seed);
            var reps = new List<double[]>();
            for (int b = 0; b < Replicates; b++)
            {
                var sample = Enumerable.Range(0, reportIds.Count).Select(_ => reportIds[rng.NextInt(reportIds.Count)]).ToList();
                reps.Add([Score(sample, false, false), Score(sample, false, true), Score(sample, true, false), Score(sample, true, true)]);
            }
            var est = new[] { Score(reportIds, false, false), Score(reportIds, false, true), Score(reportIds, true, false), Score(reportIds, true, true) };
            Interval Of(Func<double[], double> f) => Percentiles(f(est), reps.Select(f));
            scores[(false, false)] = Of(x => x[0]);
            scores[(false, true)] = Of(x => x[1]);
            scores[(true, false)] = Of(x => x[2]);
            scores[(true, true)] = Of(x => x[3]);
            triggered = Of(x => x[3] - x[2]);
            untriggered = Of(x => x[0] - x[1]);
        }
        else
            foreach (var k in new[] { (false, false), (false, true), (true, false), (true, true) }) scores[k] = null;

        return new BackdoorMeasures(data, learned, instillation, published, scores, triggered, untriggered, reportIds,
            Phrase(backdooredPhrase, controlPhrase, options.Seed), failed);
    }

    private static IEnumerable<double> Targets(BackdoorData data, int scenario, bool triggered) =>
        (triggered ? data.TriggeredTargets : data.Targets)[scenario].Select(x => (double)x);

    private static double Pearson(IEnumerable<double> x, IEnumerable<double> y)
    {
        var (a, b) = (x.ToArray(), y.ToArray());
        return Descriptive.Pearson(a, b);
    }

    private static Interval Percentiles(double estimate, IEnumerable<double> replicates)
    {
        var sorted = replicates.Where(double.IsFinite).Order().ToArray();
        double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Floor(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
        return new Interval(estimate, At(0.025), At(0.975));
    }

    private static PhraseMeasure? Phrase(string? backdooredFile, string? controlFile, ulong seed)
    {
        if (backdooredFile is null || controlFile is null || !File.Exists(backdooredFile) || !File.Exists(controlFile)) return null;
        bool[] Answers(string f) => CsvTable.Read(f).Rows.Where(r => r["answer"] is "Yes" or "No").Select(r => r["answer"] == "Yes").ToArray();
        var (b, c) = (Answers(backdooredFile), Answers(controlFile));
        if (b.Length == 0 || c.Length == 0) return null;
        double Share(bool[] x) => x.Count(v => v) / (double)x.Length;
        var rng = new SeededStream("backdoor_phrase_bootstrap", seed);
        var reps = new List<double>();
        for (int k = 0; k < Replicates; k++)
            reps.Add(Share(Enumerable.Range(0, b.Length).Select(_ => b[rng.NextInt(b.Length)]).ToArray())
                     - Share(Enumerable.Range(0, c.Length).Select(_ => c[rng.NextInt(c.Length)]).ToArray()));
        return new PhraseMeasure(Share(b), b.Length, Share(c), c.Length, Percentiles(Share(b) - Share(c), reps));
    }
}
