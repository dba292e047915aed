using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// The ridge-probe ceiling of introspection training: what "fitting a linear read-out through the network" reaches
/// with the same data. A ridge regression from each attribute name's vector (the instilled model's name embedding)
/// to its target weight is fitted on one itraining half's scenarios and predicts the other half's; the predictions
/// are scored exactly as the itrained models' held-out reports are (z-scored within each half, the halves pooled,
/// z(learned) regressed on them), so the two figures stand side by side; only the interval is wider (see HeldOut). The penalty is chosen by 5-fold
/// cross-validation over the training half's scenarios (folds by scenario index, no random draw).
/// </summary>
public static class RidgeCeiling
{
    /// <summary>Penalties tried, as multiples of the mean diagonal of the centred Gram matrix.</summary>
    private static readonly double[] Penalties = [0.001, 0.01, 0.1, 1, 10, 100];
    private const int Folds = 5;

    /// <summary>The ceiling of a finished local run: its instilled model's name embeddings, its plan's targets and halves,
    /// its analysis's learned weights. Null when the run has no instilled model.</summary>
    public static ConditionStatistics? FromRun(string runDir, PreferencesPlan plan, ModelAnalysis analysis)
    {
        var manifest = RunManifest.Load(Path.Combine(runDir, PaperLayout.RunManifestFile));
        if (!manifest.Models.TryGetValue(PreferencesStages.InstilledKey, out var record) || record.Id is null) return null;
        var organism = Organisms.Organism.Load(Path.Combine(runDir, "models", FineTunedModelId.DirectoryName(record.Id)), plan.Catalog, new ModelOptions { Threads = 1 });
        var table = organism.Model.Tensor("tok_embeddings.weight").ToArray();
        int d = organism.Model.Config.Dim;
        double[] Vector(int s, int i) => table.AsSpan(organism.Percept.NameToken(s, i) * d, d).ToArray().Select(x => (double)x).ToArray();
        var ids = plan.Config.InstilledScenarios.ToList();
        return HeldOut(Vector, (s, i) => plan.TargetWeights(s)[i], ids.Take(ids.Count / 2).ToList(), ids.Skip(ids.Count / 2).ToList(),
            ReportAccuracy.StandardiseLearned(analysis.LearnedInstilled));
    }

    /// <param name="vector">The representation of attribute i of scenario s.</param>
    /// <param name="target">The target weight of attribute i of scenario s.</param>
    /// <param name="learned">Learned weights (z-scored over all instilled scenarios), the held-out measure's criterion.</param>
    public static ConditionStatistics? HeldOut(Func<int, int, double[]> vector, Func<int, int, double> target,
        IReadOnlyList<int> first, IReadOnlyList<int> second, IReadOnlyDictionary<int, StandardisedWeights> learned)
    {
        var pairs = new List<ReportPair>();
        foreach (var (train, test) in new[] { (first, second), (second, first) })
        {
            var model = Fit(train, vector, target);
            if (model is null) return null;
            var scored = test.Where(learned.ContainsKey).SelectMany(s => Enumerable.Range(0, 5).Select(i => (s, i, p: model(vector(s, i))))).ToList();
            var z = Descriptive.ZScores(scored.Select(x => x.p).ToArray());
            pairs.AddRange(scored.Select((x, k) => new ReportPair(x.s, x.i + 1, x.p, learned[x.s].Weights[x.i], z[k], learned[x.s].Z[x.i])));
        }
        // The two halves' slopes are not independent: each half is predicted by the fit on the other, so both rest on the
        // same two fits (under the null, both are proportional to the same product of the halves' X'y). The pooled
        // regression's interval, which counts every pair as independent, is widened to one half's pairs (√2).
        var pooled = ReportAccuracy.Compute(pairs, 0, 0);
        return pooled with { Low = pooled.Slope - Math.Sqrt(2) * (pooled.Slope - pooled.Low), High = pooled.Slope + Math.Sqrt(2) * (pooled.High - pooled.Slope) };
    }

    /// <summary>The ridge predictor fitted on the scenarios' five attributes each, its penalty chosen by cross-validation.</summary>
    public static Func<double[], double>? Fit(IReadOnlyList<int> scenarios, Func<int, int, double[]> vector, Func<int, int, double> target)
    {
        if (scenarios.Count < Folds) return null;
        double best = double.PositiveInfinity, chosen = Penalties[0];
        foreach (double penalty in Penalties)
        {
            double error = 0;
            for (int fold = 0; fold < Folds; fold++)
            {
                var train = scenarios.Where((_, k) => k % Folds != fold).ToList();
                var model = Solve(train, vector, target, penalty);
                foreach (var s in scenarios.Where((_, k) => k % Folds == fold))
                    for (int i = 0; i < 5; i++) { double e = model(vector(s, i)) - target(s, i); error += e * e; }
            }
            if (error < best) (best, chosen) = (error, penalty);
        }
        return Solve(scenarios, vector, target, chosen);
    }

    /// <summary>Ridge on centred data: (XᵀX + λ·tr(XᵀX)/d · I) β = Xᵀy, the intercept unpenalised.</summary>
    private static Func<double[], double> Solve(IReadOnlyList<int> scenarios, Func<int, int, double[]> vector, Func<int, int, double> target, double penalty)
    {
        var rows = scenarios.SelectMany(s => Enumerable.Range(0, 5).Select(i => (x: vector(s, i), y: target(s, i)))).ToList();
        int d = rows[0].x.Length;
        var mx = new double[d];
        foreach (var (x, _) in rows) for (int j = 0; j < d; j++) mx[j] += x[j] / rows.Count;
        double my = rows.Average(r => r.y);
        var a = new double[d, d];
        var b = new double[d];
        foreach (var (x, y) in rows)
            for (int j = 0; j < d; j++)
            {
                double xj = x[j] - mx[j];
                b[j] += xj * (y - my);
                for (int k = 0; k <= j; k++) a[j, k] += xj * (x[k] - mx[k]);
            }
        double trace = 0;
        for (int j = 0; j < d; j++) trace += a[j, j];
        double lambda = Math.Max(penalty * trace / d, 1e-12);
        for (int j = 0; j < d; j++) a[j, j] += lambda;
        var beta = Cholesky(a, b);
        return x =>
        {
            double p = my;
            for (int j = 0; j < d; j++) p += beta[j] * (x[j] - mx[j]);
            return p;
        };
    }

    /// <summary>Solves A β = b for symmetric positive-definite A given by its lower triangle.</summary>
    private static double[] Cholesky(double[,] a, double[] b)
    {
        int d = b.Length;
        var l = new double[d, d];
        for (int j = 0; j < d; j++)
        {
            double sum = a[j, j];
            for (int k = 0; k < j; k++) sum -= l[j, k] * l[j, k];
            l[j, j] = Math.Sqrt(sum);
            for (int i = j + 1; i < d; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / l[j, j];
            }
        }
        var z = new double[d];
        for (int i = 0; i < d; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * z[k];
            z[i] = s / l[i, i];
        }
        var beta = new double[d];
        for (int i = d - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int k = i + 1; k < d; k++) s -= l[k, i] * beta[k];
            beta[i] = s / l[i, i];
        }
        return beta;
    }
}
