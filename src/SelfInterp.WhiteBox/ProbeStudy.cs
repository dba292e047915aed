using SelfInterp.Core.Csv;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>One probe's (or the reports') accuracy: Pearson r between out-of-fold predictions and the target,
/// the slope of the target on the predictions, each with a 95% scenario-bootstrap interval; and r beside its two nulls
/// (<see cref="ProbeNull"/>; <see cref="NullComparison.None"/> when no null was drawn, and for the reports).</summary>
public sealed record ProbeRow(string Model, string Layer, string Site, string Target, int Units,
    double R, double RLow, double RHigh, double Slope, double SlopeLow, double SlopeHigh)
{
    public NullComparison Shuffled { get; init; } = NullComparison.None;
    public NullComparison Permuted { get; init; } = NullComparison.None;
}

/// <summary>`selfinterp probe`: for each model, residual-stream activations at the attributes' name positions
/// (decision and report prompts) and at the decision's answer position, from fresh trials; per hook point a
/// ridge probe cross-validated by scenario folds predicts the learned weight (from the model's own P(A)) and,
/// on instilled scenarios, the instilled target. Beside them, the same model's reports scored the same way, and the
/// report circuit's read-out direction against the probes' (<see cref="ReadoutStudy"/>).</summary>
public static class ProbeStudy
{
    public const string FileName = "probes.csv";
    public const int Folds = 5;
    public static readonly string[] Columns = ["model", "layer", "site", "target", "units", "r", "r_low", "r_high", "slope", "slope_low", "slope_high"];
    /// <summary>Columns written since the nulls (files written before them lack these; read as no null).</summary>
    public static readonly string[] NullColumns = ["null_shuffled_p95", "p_shuffled", "null_permuted_p95", "p_permuted", "null_draws"];

    /// <param name="NullDraws">Draws of each probe's two nulls and of the read-out comparison's; 0 draws none.</param>
    public sealed record Settings(int Trials = 20, int Reports = 5, int NullDraws = 100);

    public sealed record Result(List<ProbeRow> Probes, List<ReadoutRow> Readout);

    /// <summary>The hook points a probe reads: the embedding and, per block, the mid and post streams
    /// (a block's resid_pre is the previous block's resid_post).</summary>
    public static IReadOnlyList<HookPoint> Points(int layers) =>
        HookPoint.All(layers).Where(p => p.Site != ResidualSite.Pre).ToList();

    /// <summary>A model's data on the lab's trials: choice weights, decision logits and activations.</summary>
    public sealed class ModelData
    {
        public required LabSubject Subject { get; init; }
        public required Dictionary<int, List<Preferences.Generation.Trial>> Trials { get; init; }
        public required Dictionary<int, double[]> Logits { get; init; }
        /// <summary>Choice weights on the paper's scale (largest |weight| 100).</summary>
        public required Dictionary<int, double[]> Weights { get; init; }
        public required Dictionary<int, ActivationCache> Decision { get; init; }
        public required Dictionary<int, ActivationCache> Report { get; init; }
    }

    public static ModelData Observe(LabRun run, Observer observer, int trials, IEnumerable<int> scenarios)
    {
        var plan = run.Plan;
        var subject = observer.Subject;
        var points = Points(subject.Model.Config.NLayers);
        var attributes = Enumerable.Range(0, Scenario.AttributeCount).ToList();
        var data = new ModelData { Subject = subject, Trials = [], Logits = [], Weights = [], Decision = [], Report = [] };
        foreach (int s in scenarios)
        {
            var t = LabTrials.Draw(plan, s, trials, "probe");
            data.Trials[s] = t;
            data.Decision[s] = new ActivationCache();
            var decisionPositions = t.Select(trial => attributes.Select(i => subject.DecisionName(trial, i)).Append(subject.DecisionAnswer(trial)).ToHashSet()).ToList();
            var reportPositions = t.Select(trial => attributes.Select(i => subject.ReportListedName(trial, i)).ToHashSet()).ToList();
            data.Logits[s] = observer.DecisionLogits(t, Observer.Recorder(points, decisionPositions, data.Decision[s]));
            var slopes = ChoiceWeights.Slopes(plan.Scenario(s), t, data.Logits[s]);
            data.Weights[s] = ChoiceWeights.Scaled(slopes, slopes);
            data.Report[s] = new ActivationCache();
            observer.ReportPass(t, Observer.Recorder(points, reportPositions, data.Report[s]));
        }
        return data;
    }

    /// <summary>Mean activation over a scenario's trials at one point, at each trial's position.</summary>
    static float[] MeanOver(ActivationCache cache, HookPoint point, int trials, Func<int, int> position)
    {
        var sum = new float[cache[point, 0, position(0)].Length];
        for (int k = 0; k < trials; k++)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, cache[point, k, position(k)], sum);
        System.Numerics.Tensors.TensorPrimitives.Multiply(sum, 1f / trials, sum);
        return sum;
    }

    /// <summary>Probe units of a name site: one per (scenario, attribute), activations averaged over trials.</summary>
    public static (List<float[]> X, List<int> Scenario, List<int> Attribute) NameUnits(ModelData data, HookPoint point, bool report, IEnumerable<int> scenarios)
    {
        var x = new List<float[]>();
        var sc = new List<int>();
        var at = new List<int>();
        foreach (int s in scenarios)
            for (int i = 0; i < Scenario.AttributeCount; i++)
            {
                var cache = report ? data.Report[s] : data.Decision[s];
                var trials = data.Trials[s];
                x.Add(MeanOver(cache, point, trials.Count, k => report ? data.Subject.ReportListedName(trials[k], i) : data.Subject.DecisionName(trials[k], i)));
                sc.Add(s);
                at.Add(i);
            }
        return (x, sc, at);
    }

    public static Result Run(LabRun run, Settings settings, Action<string>? log = null)
    {
        var plan = run.Plan;
        var rows = new List<ProbeRow>();
        var readout = new List<ReadoutRow>();
        var weightsOf = new Dictionary<string, Dictionary<int, double[]>>();
        ulong seed = plan.Seeds.Master;
        foreach (var lab in run.Models)
        {
            string name = lab.Name;
            var subject = lab.Subject;
            log?.Invoke($"probe: observing {name}");
            var observer = new Observer(subject, plan.Catalog, run.ReportMaxTokens);
            var data = Observe(run, observer, settings.Trials, lab.Scenarios);
            // A control network is scored against the choice weights of the model it controls for.
            var weights = lab.TargetsOf is { } of ? weightsOf[of] : data.Weights;
            weightsOf[name] = weights;
            var all = lab.Scenarios;
            var instilled = lab.Instilled;
            var reports = lab.TargetsOf is null ? MeanReports(observer, data, settings.Reports, all, log, name) : null;
            var jobs = new List<Func<ProbeRow>>();
            var readoutJobs = new List<Func<IEnumerable<ReadoutRow>>>();
            foreach (var point in Points(subject.Model.Config.NLayers))
            {
                var directions = new List<(string, float[])>();
                foreach (bool report in new[] { false, true })
                {
                    string site = report ? "report_name" : "decision_name";
                    var (x, sc, at) = NameUnits(data, point, report, all);
                    var learned = sc.Select((s, k) => weights[s][at[k]]).ToList();
                    jobs.Add(() => Score(name, point.Name, site, "learned_weight", x, learned, sc, seed, settings.NullDraws));
                    var (xi, si, ai) = NameUnits(data, point, report, instilled);
                    var target = si.Select((s, k) => (double)plan.TargetWeights(s)[ai[k]]).ToList();
                    jobs.Add(() => Score(name, point.Name, site, "instilled_target", xi, target, si, seed, settings.NullDraws));
                    if (reports is not null) directions.Add(($"{site}_probe", RidgeProbe.FitTuned(x, learned, sc, Folds, seed).Direction()));
                }
                if (reports is not null)
                {
                    // The read-out: reports regressed on the report prompt's name representation, where the report circuit reads the names.
                    var (x, sc, at) = NameUnits(data, point, report: true, all);
                    var keep = Enumerable.Range(0, x.Count).Where(k => reports.ContainsKey((sc[k], at[k]))).ToList();
                    if (keep.Select(k => sc[k]).Distinct().Count() >= Folds)
                        readoutJobs.Add(() => ReadoutStudy.Compare(name, point.Name, keep.Select(k => x[k]).ToList(), keep.Select(k => reports[(sc[k], at[k])]).ToList(),
                            keep.Select(k => sc[k]).ToList(), directions, settings.NullDraws, seed).ToList());
                }
                var ax = new List<float[]>();
                var ay = new List<double>();
                var asc = new List<int>();
                foreach (int s in all)
                    for (int k = 0; k < data.Trials[s].Count; k++)
                    {
                        ax.Add(data.Decision[s][point, k, data.Subject.DecisionAnswer(data.Trials[s][k])]);
                        ay.Add(data.Logits[s][k]);
                        asc.Add(s);
                    }
                // A control network's own decisions are what its answer position reads: its logits are the target there.
                jobs.Add(() => Score(name, point.Name, "decision_answer", "choice_logit", ax, ay, asc, seed, settings.NullDraws));
            }
            var scored = new ProbeRow[jobs.Count];
            var compared = new IEnumerable<ReadoutRow>[readoutJobs.Count];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = subject.Model.Threads };
            log?.Invoke($"probe: fitting {name}'s probes{(settings.NullDraws > 0 ? $" and their nulls ({settings.NullDraws} draws each)" : "")}");
            Parallel.For(0, jobs.Count, parallel, j => scored[j] = jobs[j]());
            Parallel.For(0, readoutJobs.Count, parallel, j => compared[j] = readoutJobs[j]());
            rows.AddRange(scored);
            readout.AddRange(compared.SelectMany(c => c));
            if (reports is not null) rows.AddRange(ReportAccuracy(plan, reports, weights, instilled, name, seed));
        }
        return new Result(rows, readout);
    }

    static ProbeRow Score(string model, string layer, string site, string target, List<float[]> x, List<double> y, List<int> scenarios, ulong seed, int draws)
    {
        var result = ProbeNull.Run(x, y, scenarios, Folds, seed, draws, $"{model}:{layer}:{site}:{target}");
        return Row(model, layer, site, target, result.Predicted.Select((p, k) => (scenarios[k], p, y[k])).ToList(), seed) with { Shuffled = result.Shuffled, Permuted = result.Permuted };
    }

    /// <summary>r and slope of target on prediction, with scenario-bootstrap intervals.</summary>
    public static ProbeRow Row(string model, string layer, string site, string target, List<(int Scenario, double Predicted, double Target)> units, ulong seed)
    {
        string stream = $"{model}:{layer}:{site}:{target}";
        var r = ScenarioBootstrap.Interval(units, u => u.Scenario, us => ScenarioBootstrap.Pearson(us.Select(u => (u.Predicted, u.Target)).ToList()), stream + ":r", seed);
        var slope = ScenarioBootstrap.Interval(units, u => u.Scenario, us => ScenarioBootstrap.Slope(us.Select(u => (u.Predicted, u.Target)).ToList()), stream + ":slope", seed);
        return new ProbeRow(model, layer, site, target, units.Count, r.Estimate, r.Low, r.High, slope.Estimate, slope.Low, slope.High);
    }

    /// <summary>The model's greedy reports on the first trials of each scenario, averaged per (scenario, attribute);
    /// scenarios whose replies all fail to parse are left out.</summary>
    static Dictionary<(int Scenario, int Attribute), double> MeanReports(Observer observer, ModelData data, int reports, IEnumerable<int> scenarios, Action<string>? log, string model)
    {
        log?.Invoke($"probe: reports of {model}");
        var means = new Dictionary<(int, int), double>();
        foreach (int s in scenarios)
        {
            var replies = observer.Reports(data.Trials[s].Take(reports).ToList()).Where(r => r is not null).ToList();
            if (replies.Count == 0) continue;
            for (int i = 0; i < Scenario.AttributeCount; i++) means[(s, i)] = replies.Average(r => r![i]);
        }
        return means;
    }

    /// <summary>The mean reports scored against the same targets as the probes.</summary>
    static IEnumerable<ProbeRow> ReportAccuracy(Experiments.Preferences.PreferencesPlan plan, Dictionary<(int Scenario, int Attribute), double> reports,
        Dictionary<int, double[]> weights, IReadOnlyList<int> instilledScenarios, string model, ulong seed)
    {
        var instilledSet = instilledScenarios.ToHashSet();
        var learned = reports.Select(kv => (kv.Key.Scenario, kv.Value, weights[kv.Key.Scenario][kv.Key.Attribute])).ToList();
        var instilled = reports.Where(kv => instilledSet.Contains(kv.Key.Scenario))
            .Select(kv => (kv.Key.Scenario, kv.Value, (double)plan.TargetWeights(kv.Key.Scenario)[kv.Key.Attribute])).ToList();
        yield return Row(model, "reply", "report", "learned_weight", learned, seed);
        yield return Row(model, "reply", "report", "instilled_target", instilled, seed);
    }

    public static void Write(string path, IEnumerable<ProbeRow> rows)
    {
        var w = new CsvWriter([.. Columns, .. NullColumns]);
        foreach (var r in rows)
        {
            w.Field(r.Model).Field(r.Layer).Field(r.Site).Field(r.Target).Field(r.Units);
            foreach (var v in new[] { r.R, r.RLow, r.RHigh, r.Slope, r.SlopeLow, r.SlopeHigh, r.Shuffled.P95, r.Shuffled.P, r.Permuted.P95, r.Permuted.P }) w.Field(Math.Round(v, 4));
            w.Field(Math.Max(r.Shuffled.Draws, r.Permuted.Draws));
        }
        w.WriteTo(path);
    }
}
