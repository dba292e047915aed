using SelfInterp.Analysis.Regression;
using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox;

/// <summary>A linear probe: ridge regression on standardised features. The penalty is chosen from a grid by
/// cross-validation inside the training data (its own scenario folds), so a score on held-out scenarios
/// never saw them.</summary>
public sealed class RidgeProbe
{
    public static readonly double[] Penalties = [0.1, 1, 10, 100, 1000];

    public double[] Mean { get; }
    public double[] Scale { get; }
    public double[] Weights { get; }
    public double Intercept { get; }
    public double Penalty { get; }

    RidgeProbe(double[] mean, double[] scale, double[] weights, double intercept, double penalty) =>
        (Mean, Scale, Weights, Intercept, Penalty) = (mean, scale, weights, intercept, penalty);

    public double Predict(float[] x)
    {
        double s = Intercept;
        for (int j = 0; j < x.Length; j++) s += Weights[j] * (x[j] - Mean[j]) / Scale[j];
        return s;
    }

    /// <summary>The probe's direction in the residual stream (un-standardised), unit length.</summary>
    public float[] Direction()
    {
        var v = Weights.Select((w, j) => w / Scale[j]).ToArray();
        double norm = Math.Sqrt(v.Sum(z => z * z));
        return v.Select(z => (float)(norm > 0 ? z / norm : 0)).ToArray();
    }

    /// <summary>Fits with a given penalty.</summary>
    public static RidgeProbe Fit(IReadOnlyList<float[]> x, IReadOnlyList<double> y, double penalty) =>
        Moments.Of(x, y, Enumerable.Range(0, x.Count).ToList()).Solve(penalty);

    /// <summary>Standardisation, Gram matrix and cross-products of some rows: one pass serves every penalty.</summary>
    sealed class Moments(double[] mean, double[] scale, double[] gram, double[] xty, double yMean, int d)
    {
        public static Moments Of(IReadOnlyList<float[]> x, IReadOnlyList<double> y, List<int> rows)
        {
            int n = rows.Count, d = x[0].Length;
            var mean = new double[d];
            var scale = new double[d];
            foreach (int i in rows) for (int j = 0; j < d; j++) mean[j] += x[i][j] / (double)n;
            foreach (int i in rows) for (int j = 0; j < d; j++) scale[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]) / n;
            for (int j = 0; j < d; j++) scale[j] = Math.Sqrt(scale[j]) is var s && s > 1e-12 ? s : 1;
            double yMean = rows.Average(i => y[i]);
            var gram = new double[d * d];
            var xty = new double[d];
            var z = new double[d];
            foreach (int i in rows)
            {
                for (int j = 0; j < d; j++) z[j] = (x[i][j] - mean[j]) / scale[j];
                for (int a = 0; a < d; a++)
                {
                    xty[a] += z[a] * (y[i] - yMean);
                    double za = z[a];
                    for (int b = 0; b <= a; b++) gram[a * d + b] += za * z[b];
                }
            }
            for (int a = 0; a < d; a++)
                for (int b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b];
            return new Moments(mean, scale, gram, xty, yMean, d);
        }

        public RidgeProbe Solve(double penalty)
        {
            var a = (double[])gram.Clone();
            for (int j = 0; j < d; j++) a[j * d + j] += penalty;
            var l = new double[d * d];
            if (!SmallMatrix.TryCholesky(a, d, l)) throw new InvalidOperationException("ridge system is not positive definite");
            var w = (double[])xty.Clone();
            SmallMatrix.CholeskySolve(l, d, w);
            return new RidgeProbe(mean, scale, w, yMean, penalty);
        }
    }

    /// <summary>Fits choosing the penalty by cross-validation over the given groups (scenarios).</summary>
    public static RidgeProbe FitTuned(IReadOnlyList<float[]> x, IReadOnlyList<double> y, IReadOnlyList<int> groups, int folds, ulong seed)
    {
        var fold = FoldsOf(groups, folds, seed);
        var error = new double[Penalties.Length];
        if (fold.Values.Distinct().Count() >= 2)
            for (int f = 0; f < folds; f++)
            {
                var train = Enumerable.Range(0, x.Count).Where(i => fold[groups[i]] != f).ToList();
                var test = Enumerable.Range(0, x.Count).Where(i => fold[groups[i]] == f).ToList();
                if (train.Count == 0 || test.Count == 0) continue;
                var moments = Moments.Of(x, y, train);
                for (int k = 0; k < Penalties.Length; k++)
                {
                    var probe = moments.Solve(Penalties[k]);
                    error[k] += test.Sum(i => Math.Pow(probe.Predict(x[i]) - y[i], 2));
                }
            }
        return Fit(x, y, Penalties[Array.IndexOf(error, error.Min())]);
    }

    /// <summary>Out-of-fold predictions: each group's rows predicted by a probe (penalty tuned inside) fitted without that group's fold.</summary>
    public static double[] CrossValidated(IReadOnlyList<float[]> x, IReadOnlyList<double> y, IReadOnlyList<int> groups, int folds, ulong seed)
    {
        var fold = FoldsOf(groups, folds, seed);
        var predictions = new double[x.Count];
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, x.Count).Where(i => fold[groups[i]] != f).ToList();
            var test = Enumerable.Range(0, x.Count).Where(i => fold[groups[i]] == f).ToList();
            if (test.Count == 0) continue;
            var probe = FitTuned(train.Select(i => x[i]).ToList(), train.Select(i => y[i]).ToList(), train.Select(i => groups[i]).ToList(), folds, seed + 1);
            foreach (int i in test) predictions[i] = probe.Predict(x[i]);
        }
        return predictions;
    }

    /// <summary>Groups dealt to folds round-robin after a seeded shuffle.</summary>
    public static Dictionary<int, int> FoldsOf(IReadOnlyList<int> groups, int folds, ulong seed)
    {
        var distinct = groups.Distinct().Order().ToList();
        new SeededStream("whitebox:probe_folds", seed).Shuffle(distinct);
        return distinct.Select((g, k) => (g, k)).ToDictionary(p => p.g, p => p.k % folds);
    }
}
