using SelfInterp.Experiments.Preferences;
using SelfInterp.Organisms;
using SelfInterp.Core.Csv;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>One measure of a pruned model: Pearson r between two sets of weights on the instilled scenarios'
/// (scenario, attribute) pairs, with a 95% scenario-bootstrap interval.</summary>
public sealed record WrapperRow(double Reverted, int Parameters, string Measure, int Units, double R, double Low, double High);

/// <summary>The wrapper test by pruning (after Jain et al. 2023): revert to the base model's values the parameters
/// instillation moved most (the top share by |change|), then ask whether the base model's preferences on the
/// instilled scenarios revive in the choices, and whether the reports follow what the choices do.</summary>
public static class WrapperStudy
{
    public const string FileName = "wrapper.csv";
    public static readonly string[] Columns = ["reverted_share", "parameters", "measure", "units", "r", "r_low", "r_high"];
    public static readonly double[] Shares = [0, 0.1, 0.25, 0.5, 1];

    public static List<WrapperRow> Run(LabRun run, int trials, int reports, Action<string>? log = null)
    {
        var plan = run.Plan;
        ulong seed = plan.Seeds.Master;
        var scenarios = plan.Config.InstilledScenarios.ToList();
        var draws = scenarios.ToDictionary(s => s, s => LabTrials.Draw(plan, s, trials, "wrapper"));
        var baseOrganism = run.Model("base");
        var instilled = run.Model("instilled");
        var baseWeights = ChoiceWeights.Of(new Observer(baseOrganism, plan.Catalog, plan.Config.ReportMaxTokens), plan, draws);

        var before = baseOrganism.Model.Parameters;
        var after = instilled.Model.Parameters;
        var moved = Enumerable.Range(0, after.Length).Where(i => after[i] != before[i]).OrderByDescending(i => Math.Abs(after[i] - before[i])).ThenBy(i => i).ToArray();
        var rows = new List<WrapperRow>();
        foreach (double share in Shares)
        {
            int count = (int)Math.Round(share * moved.Length);
            log?.Invoke($"wrapper: reverting {count} of {moved.Length} moved parameters");
            var model = new Model(instilled.Model.Config, new ModelOptions { Threads = instilled.Model.Threads, Gemm = instilled.Model.Gemm });
            after.CopyTo(model.Parameters, 0);
            foreach (int i in moved.AsSpan(0, count)) model.Parameters[i] = before[i];
            var observer = new Observer(instilled.With(model), plan.Catalog, plan.Config.ReportMaxTokens);
            var choice = ChoiceWeights.Of(observer, plan, draws);
            var report = new Dictionary<int, double[]>();
            foreach (int s in scenarios)
            {
                var replies = observer.Reports(draws[s].Take(reports).ToList()).Where(r => r is not null).ToList();
                if (replies.Count > 0) report[s] = Enumerable.Range(0, Scenario.AttributeCount).Select(i => replies.Average(r => r![i])).ToArray();
            }
            var target = scenarios.ToDictionary(s => s, s => plan.TargetWeights(s).Select(w => (double)w).ToArray());
            rows.Add(Correlate(share, count, "choices_vs_instilled_target", choice, target, seed));
            rows.Add(Correlate(share, count, "choices_vs_base_choices", choice, baseWeights, seed));
            rows.Add(Correlate(share, count, "reports_vs_choices", report, choice, seed));
            rows.Add(Correlate(share, count, "reports_vs_instilled_target", report, target, seed));
        }
        return rows;
    }

    static WrapperRow Correlate(double share, int count, string measure, Dictionary<int, double[]> a, Dictionary<int, double[]> b, ulong seed)
    {
        var pairs = a.Keys.Where(b.ContainsKey).Order().SelectMany(s => Enumerable.Range(0, Scenario.AttributeCount).Select(i => (Scenario: s, X: a[s][i], Y: b[s][i]))).ToList();
        var r = ScenarioBootstrap.Interval(pairs, p => p.Scenario, ps => ScenarioBootstrap.Pearson(ps.Select(p => (p.X, p.Y)).ToList()), $"wrapper:{share}:{measure}", seed);
        return new WrapperRow(share, count, measure, pairs.Count, r.Estimate, r.Low, r.High);
    }

    public static void Write(string path, IEnumerable<WrapperRow> rows)
    {
        var w = new CsvWriter(Columns);
        foreach (var r in rows)
        {
            w.Field(r.Reverted).Field(r.Parameters).Field(r.Measure).Field(r.Units);
            foreach (var v in new[] { r.R, r.Low, r.High }) w.Field(Math.Round(v, 4));
        }
        w.WriteTo(path);
    }

    public static List<WrapperRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var table = CsvTable.Read(path);
        table.RequireColumns(Columns);
        static double D(CsvRow row, string c) => row.TryDouble(c, out var v) ? v : double.NaN;
        return table.Rows.Select(r => new WrapperRow(D(r, "reverted_share"), r.Int("parameters"), r["measure"], r.Int("units"), D(r, "r"), D(r, "r_low"), D(r, "r_high"))).ToList();
    }
}
