using SelfInterp.Core.Csv;
using SelfInterp.Core.Scenarios;
using SelfInterp.Engine;

namespace SelfInterp.WhiteBox;

/// <summary>One probe's (or the reports') accuracy: Pearson r between out-of-fold predictions and the target,
/// the slope of the target on the predictions, each with a 95% scenario-bootstrap interval.</summary>
public sealed record ProbeRow(string Model, string Layer, string Site, string Target, int Units,
    double R, double RLow, double RHigh, double Slope, double SlopeLow, double SlopeHigh);

/// <summary>`selfinterp probe`: for each model, residual-stream activations at the attributes' name positions
/// (decision and report prompts) and at the decision's answer position, from fresh trials; per hook point a
/// ridge probe cross-validated by scenario folds predicts the learned weight (from the model's own P(A)) and,
/// on instilled scenarios, the instilled target. Beside them, the same model's reports scored the same way.</summary>
public static class ProbeStudy
{
    public const string FileName = "probes.csv";
    public const int Folds = 5;
    public static readonly string[] Columns = ["model", "layer", "site", "target", "units", "r", "r_low", "r_high", "slope", "slope_low", "slope_high"];

    public sealed record Settings(int Trials = 20, int Reports = 5);

    /// <summary>The hook points a probe reads: the embedding and, per block, the mid and post streams
    /// (a block's resid_pre is the previous block's resid_post).</summary>
    public static IReadOnlyList<HookPoint> Points(int layers) =>
        HookPoint.All(layers).Where(p => p.Site != ResidualSite.Pre).ToList();

    /// <summary>A model's data on the lab's trials: choice weights, decision logits and activations.</summary>
    public sealed class ModelData
    {
        public required LabSubject Subject { get; init; }
        public required Dictionary<int, List<Core.Generation.Trial>> Trials { get; init; }
        public required Dictionary<int, double[]> Logits { get; init; }
        /// <summary>Choice weights on the paper's scale (largest |weight| 100).</summary>
        public required Dictionary<int, double[]> Weights { get; init; }
        public required Dictionary<int, ActivationCache> Decision { get; init; }
        public required Dictionary<int, ActivationCache> Report { get; init; }
    }

    public static ModelData Observe(LabRun run, Observer observer, int trials)
    {
        var plan = run.Plan;
        var subject = observer.Subject;
        var points = Points(subject.Model.Config.NLayers);
        var attributes = Enumerable.Range(0, Scenario.AttributeCount).ToList();
        var data = new ModelData { Subject = subject, Trials = [], Logits = [], Weights = [], Decision = [], Report = [] };
        foreach (int s in LabTrials.Scenarios(plan))
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
    public static (List<float[]> X, List<int> Scenario, List<int> Attribute) NameUnits(LabRun run, ModelData data, HookPoint point, bool report, IEnumerable<int> scenarios)
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

    public static List<ProbeRow> Run(LabRun run, Settings settings, Action<string>? log = null)
    {
        var plan = run.Plan;
        var rows = new List<ProbeRow>();
        ulong seed = plan.Seeds.Master;
        foreach (var (name, organism) in run.Models)
        {
            log?.Invoke($"probe: observing {name}");
            var observer = new Observer(organism, plan.Catalog, plan.Config.ReportMaxTokens);
            var data = Observe(run, observer, settings.Trials);
            var all = LabTrials.Scenarios(plan);
            var instilled = plan.Config.InstilledScenarios.ToList();
            var jobs = new List<Func<ProbeRow>>();
            foreach (var point in Points(organism.Model.Config.NLayers))
            {
                foreach (bool report in new[] { false, true })
                {
                    string site = report ? "report_name" : "decision_name";
                    var (x, sc, at) = NameUnits(run, data, point, report, all);
                    var learned = sc.Select((s, k) => data.Weights[s][at[k]]).ToList();
                    jobs.Add(() => Score(name, point.Name, site, "learned_weight", x, learned, sc, seed));
                    var (xi, si, ai) = NameUnits(run, data, point, report, instilled);
                    var target = si.Select((s, k) => (double)plan.TargetWeights(s)[ai[k]]).ToList();
                    jobs.Add(() => Score(name, point.Name, site, "instilled_target", xi, target, si, seed));
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
                jobs.Add(() => Score(name, point.Name, "decision_answer", "choice_logit", ax, ay, asc, seed));
            }
            var scored = new ProbeRow[jobs.Count];
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = organism.Model.Threads }, j => scored[j] = jobs[j]());
            rows.AddRange(scored);

            log?.Invoke($"probe: reports of {name}");
            rows.AddRange(ReportAccuracy(run, observer, data, settings.Reports, name, seed));
        }
        return rows;
    }

    static ProbeRow Score(string model, string layer, string site, string target, List<float[]> x, List<double> y, List<int> scenarios, ulong seed)
    {
        var predicted = RidgeProbe.CrossValidated(x, y, scenarios, Folds, seed);
        return Row(model, layer, site, target, predicted.Select((p, k) => (scenarios[k], p, y[k])).ToList(), seed);
    }

    /// <summary>r and slope of target on prediction, with scenario-bootstrap intervals.</summary>
    public static ProbeRow Row(string model, string layer, string site, string target, List<(int Scenario, double Predicted, double Target)> units, ulong seed)
    {
        string stream = $"{model}:{layer}:{site}:{target}";
        var r = ScenarioBootstrap.Interval(units, u => u.Scenario, us => ScenarioBootstrap.Pearson(us.Select(u => (u.Predicted, u.Target)).ToList()), stream + ":r", seed);
        var slope = ScenarioBootstrap.Interval(units, u => u.Scenario, us => ScenarioBootstrap.Slope(us.Select(u => (u.Predicted, u.Target)).ToList()), stream + ":slope", seed);
        return new ProbeRow(model, layer, site, target, units.Count, r.Estimate, r.Low, r.High, slope.Estimate, slope.Low, slope.High);
    }

    /// <summary>The model's greedy reports on the first trials of each scenario, averaged per (scenario,
    /// attribute) and scored against the same targets as the probes (bad replies left out).</summary>
    static IEnumerable<ProbeRow> ReportAccuracy(LabRun run, Observer observer, ModelData data, int reports, string model, ulong seed)
    {
        var plan = run.Plan;
        var learned = new List<(int, double, double)>();
        var instilled = new List<(int, double, double)>();
        var instilledSet = plan.Config.InstilledScenarios.ToHashSet();
        foreach (int s in LabTrials.Scenarios(plan))
        {
            var replies = observer.Reports(data.Trials[s].Take(reports).ToList()).Where(r => r is not null).ToList();
            if (replies.Count == 0) continue;
            for (int i = 0; i < Scenario.AttributeCount; i++)
            {
                double mean = replies.Average(r => r![i]);
                learned.Add((s, mean, data.Weights[s][i]));
                if (instilledSet.Contains(s)) instilled.Add((s, mean, plan.TargetWeights(s)[i]));
            }
        }
        yield return Row(model, "reply", "report", "learned_weight", learned, seed);
        yield return Row(model, "reply", "report", "instilled_target", instilled, seed);
    }

    public static void Write(string path, IEnumerable<ProbeRow> rows)
    {
        var w = new CsvWriter(Columns);
        foreach (var r in rows)
        {
            w.Field(r.Model).Field(r.Layer).Field(r.Site).Field(r.Target).Field(r.Units);
            foreach (var v in new[] { r.R, r.RLow, r.RHigh, r.Slope, r.SlopeLow, r.SlopeHigh }) w.Field(Math.Round(v, 4));
        }
        w.WriteTo(path);
    }
}
