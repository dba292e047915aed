using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Csv;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>One figure of an intervention test: a mean change (intervened − control, paired on the same
/// trials) in the choice weight and in the report of the intervened attribute, or the grounding slope of
/// report change on choice change; each with a 95% scenario-bootstrap interval.</summary>
public sealed record InterventionRow(string Test, string Model, string Layer, string Setting, string Statistic, int Units,
    double Choice, double ChoiceLow, double ChoiceHigh, double Report, double ReportLow, double ReportHigh);

/// <summary>`selfinterp intervene`: causal tests of what the organism's reports read.
/// <list type="bullet">
/// <item>steering: add α·v at one attribute's name positions in decision and report prompts (v the ridge probe's
/// direction for the learned weight at a layer, α set so the probe's reading moves by a given number of weight
/// points); how the report follows the choice weight is the grounding slope.</item>
/// <item>decision path only: scale the component of the stream along the A-vs-B read-out at the answer position
/// of decision prompts only; names untouched. Do reports move? (Changes signed outward: + is away from zero.)</item>
/// <item>report path only: the steering vector in report prompts only. Do choices move?</item>
/// </list>
/// Every setting is compared with the no-intervention control on the same fresh trials.</summary>
public static class InterventionStudy
{
    public const string FileName = "interventions.csv";
    public static readonly string[] Columns =
        ["test", "model", "layer", "setting", "statistic", "units", "choice", "choice_low", "choice_high", "report", "report_low", "report_high"];

    /// <summary>The steering strengths by default: a dose-response curve from −50 to +50 weight points in steps of 10
    /// (0 is the control itself).</summary>
    public static readonly double[] DefaultSteer = [-50, -40, -30, -20, -10, 10, 20, 30, 40, 50];

    public sealed record Settings(int Trials = 20, int Reports = 5, double[]? SteerPoints = null, double[]? ReadoutScales = null)
    {
        public double[] Steer => SteerPoints ?? DefaultSteer;
        public double[] Scales => ReadoutScales ?? [0, 0.5, 2];
    }

    /// <summary>What one intervention of a given strength did to one scenario's steered attribute.</summary>
    public sealed record Effect(int Scenario, double Strength, double Choice, double Report);

    public static List<InterventionRow> Run(LabRun run, Settings settings, Action<string>? log = null)
    {
        var plan = run.Plan;
        ulong seed = plan.Seeds.Master;
        var rows = new List<InterventionRow>();
        foreach (var lab in run.Models.Where(m => m.Name == "instilled").Concat(run.Itrained))
        {
            string model = lab.Name;
            var subject = lab.Subject;
            // Held out, an itrained model is steered only on the instilled scenarios it was not trained on.
            var scenarios = lab.Instilled.ToList();
            var observer = new Observer(subject, plan.Catalog, run.ReportMaxTokens);
            log?.Invoke($"intervene: probing {model} for a steering direction");
            var data = ProbeStudy.Observe(run, observer, settings.Trials, lab.Scenarios);
            var (point, probe) = BestNameProbe(data, lab.Scenarios, subject.Model.Config.NLayers, seed);
            var raw = probe.Weights.Select((w, j) => w / probe.Scale[j]).ToArray();
            double gain = raw.Sum(z => z * z) is var g && g > 0 ? Math.Sqrt(g) : 1;   // probe reading per unit of α along v
            var v = probe.Direction();

            // The same fresh trials for control and every setting: each scenario steers one attribute.
            var trials = new List<Trial>();
            var attributeOf = new List<int>();
            var scenarioOf = new List<int>();
            foreach (int s in scenarios)
                foreach (var t in LabTrials.Draw(plan, s, settings.Trials, "intervene"))
                {
                    trials.Add(t);
                    scenarioOf.Add(s);
                    attributeOf.Add(s % Scenario.AttributeCount);
                }
            var reportIndex = Enumerable.Range(0, trials.Count).Where(k => k % settings.Trials < settings.Reports).ToList();
            var reportTrials = reportIndex.Select(k => trials[k]).ToList();
            int ReportAttribute(int seq) => attributeOf[reportIndex[seq]];

            log?.Invoke($"intervene: {model} control");
            var controlLogits = observer.DecisionLogits(trials);
            var controlReports = observer.Reports(reportTrials);
            var controlSlopes = SlopesByScenario(plan, scenarios, scenarioOf, trials, controlLogits);

            // outward: changes signed by the control weight's sign, so + is away from zero (for interventions
            // that scale all weights, whose raw changes would average out over attributes of either sign).
            List<Effect> Effects(double strength, double[] logits, double[]?[] reports, bool outward = false) => scenarios.Select(s =>
            {
                int i = s % Scenario.AttributeCount;
                var slopes = SlopesByScenario(plan, [s], scenarioOf, trials, logits)[s];
                double control = ChoiceWeights.Scaled(controlSlopes[s], controlSlopes[s])[i];
                double sign = outward ? Math.Sign(control) : 1;
                double choice = sign * (ChoiceWeights.Scaled(slopes, controlSlopes[s])[i] - control);
                var changes = reportIndex.Select((k, r) => (k, r)).Where(x => scenarioOf[x.k] == s && reports[x.r] is not null && controlReports[x.r] is not null)
                    .Select(x => sign * (reports[x.r]![i] - controlReports[x.r]![i])).ToList();
                return new Effect(s, strength, choice, changes.Count > 0 ? changes.Average() : double.NaN);
            }).Where(e => double.IsFinite(e.Report)).ToList();

            // Steering: both prompt kinds.
            var steeringEffects = new List<Effect>();
            var reportOnlyEffects = new List<Effect>();
            foreach (double points in settings.Steer)
            {
                float alpha = (float)(points / gain);
                log?.Invoke($"intervene: {model} steering {points:+0;-0} weight points at {point.Name}");
                var decisionHooks = new Hooks().AddVector(point, v, alpha, (seq, pos) => pos == subject.DecisionName(trials[seq], attributeOf[seq]));
                var reportHooks = new Hooks().AddVector(point, v, alpha, (seq, pos) =>
                    pos == subject.ReportListedName(reportTrials[seq], ReportAttribute(seq)) || pos == subject.ReportTrialName(reportTrials[seq], ReportAttribute(seq)));
                // The steered reports are the same in both tests (the same hooks on the same report prompts): decoded once.
                var steeredReports = observer.Reports(reportTrials, reportHooks);
                var effects = Effects(points, observer.DecisionLogits(trials, decisionHooks), steeredReports);
                rows.Add(Mean("steering", model, point.Name, $"{points:+0;-0}", effects, seed));
                steeringEffects.AddRange(effects);

                var reportOnly = Effects(points, controlLogits, steeredReports);
                rows.Add(Mean("report_path_only", model, point.Name, $"{points:+0;-0}", reportOnly, seed));
                reportOnlyEffects.AddRange(reportOnly);
            }
            rows.AddRange(DoseResponse.Rows("steering", model, point.Name, steeringEffects, seed));
            rows.Add(DoseResponse.Slopes("report_path_only", model, point.Name, reportOnlyEffects, seed));

            // Decision path only: the read-out of A vs B at the answer position of decision prompts.
            var last = HookPoint.ResidPost(subject.Model.Config.NLayers - 1);
            var u = ReadoutDirection(subject);
            foreach (double scale in settings.Scales)
            {
                log?.Invoke($"intervene: {model} decision read-out ×{scale}");
                var hooks = new Hooks().Add(last, (_, stream) =>
                {
                    for (int r = 0; r < stream.Rows; r++)
                    {
                        if (stream.Positions[r] != subject.DecisionAnswer(trials[stream.Sequences[r]])) continue;
                        var row = stream.Row(r);
                        float along = SelfInterp.Engine.Kernels.FixedMath.Dot(row, u);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(u, (float)((scale - 1) * along), row, row);
                    }
                });
                var effects = Effects(scale, observer.DecisionLogits(trials, hooks), controlReports, outward: true);
                rows.Add(Mean("decision_path_only", model, last.Name, $"x{scale}", effects, seed));
            }
        }
        return rows;
    }

    /// <summary>The decision-name probe of the learned weight at the hook point where it predicts best (out of fold).</summary>
    static (HookPoint Point, RidgeProbe Probe) BestNameProbe(ProbeStudy.ModelData data, IReadOnlyList<int> all, int layers, ulong seed)
    {
        var scored = ProbeStudy.Points(layers).Select(point =>
        {
            var (x, sc, at) = ProbeStudy.NameUnits(data, point, report: false, all);
            var y = sc.Select((s, k) => data.Weights[s][at[k]]).ToList();
            double r = ScenarioBootstrap.Pearson(RidgeProbe.CrossValidated(x, y, sc, ProbeStudy.Folds, seed).Select((p, k) => (p, y[k])).ToList());
            return (Point: point, R: r, X: x, Y: y, Scenarios: sc);
        }).ToList();
        var best = scored.MaxBy(s => s.R);
        return (best.Point, RidgeProbe.FitTuned(best.X, best.Y, best.Scenarios, ProbeStudy.Folds, seed));
    }

    /// <summary>Unit direction that raises log P(A) − log P(B) through the (tied or untied) output head.</summary>
    static float[] ReadoutDirection(LabSubject subject)
    {
        var m = subject.Model;
        var head = m.Tensor(m.Config.TiedEmbeddings ? "tok_embeddings.weight" : "output.weight");
        int d = m.Config.Dim;
        var u = new float[d];
        for (int j = 0; j < d; j++) u[j] = head[subject.TokenA * d + j] - head[subject.TokenB * d + j];
        // The final RMSNorm scales each dimension by its gain first: fold it in so u is the direction in the stream.
        var gain = m.Tensor("norm.weight");
        for (int j = 0; j < d; j++) u[j] *= gain[j];
        float norm = MathF.Sqrt(SelfInterp.Engine.Kernels.FixedMath.SumOfSquares(u));
        System.Numerics.Tensors.TensorPrimitives.Multiply(u, 1f / norm, u);
        return u;
    }

    static Dictionary<int, double[]> SlopesByScenario(PreferencesPlan plan, IEnumerable<int> scenarios, List<int> scenarioOf, List<Trial> trials, double[] logits) =>
        scenarios.ToDictionary(s => s, s =>
        {
            var idx = Enumerable.Range(0, trials.Count).Where(k => scenarioOf[k] == s).ToList();
            return ChoiceWeights.Slopes(plan.Scenario(s), idx.Select(k => trials[k]).ToList(), idx.Select(k => logits[k]).ToList());
        });

    static InterventionRow Mean(string test, string model, string layer, string setting, List<Effect> effects, ulong seed)
    {
        string stream = $"{test}:{model}:{setting}";
        var c = ScenarioBootstrap.Interval(effects, e => e.Scenario, es => es.Average(e => e.Choice), stream + ":choice", seed);
        var r = ScenarioBootstrap.Interval(effects, e => e.Scenario, es => es.Average(e => e.Report), stream + ":report", seed);
        return new InterventionRow(test, model, layer, setting, "mean_change", effects.Count, c.Estimate, c.Low, c.High, r.Estimate, r.Low, r.High);
    }

    public static void Write(string path, IEnumerable<InterventionRow> rows)
    {
        var w = new CsvWriter(Columns);
        foreach (var r in rows)
        {
            w.Field(r.Test).Field(r.Model).Field(r.Layer).Field(r.Setting).Field(r.Statistic).Field(r.Units);
            foreach (var v in new[] { r.Choice, r.ChoiceLow, r.ChoiceHigh, r.Report, r.ReportLow, r.ReportHigh }) w.Field(Math.Round(v, 4));
        }
        w.WriteTo(path);
    }
}
