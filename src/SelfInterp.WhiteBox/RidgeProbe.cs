using SelfInterp.Analysis.Regression;
using SelfInterp.Core.Random;

namespace SelfInterp.WhiteBox;

/// <summary>A linear probe: ridge regression on standardised features. The penalty is chosen from a grid by
/// cross-validation inside the training data (its own scenario folds), so a score on held-out scenarios
/// never saw them. Every fit takes several targets at once: the features' moments and the Cholesky factors depend
/// on the rows only, so a null distribution (the same probe on shuffled targets) costs a fraction of the probe.</summary>
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
        Design.Of(x, Enumerable.Range(0, x.Count).ToList()).Solve(y, penalty);

    /// <summary>Widest features solved in the primal form (a d×d system): every organism's width (128) is within it,
    /// so their probes keep their bytes. Wider features with fewer rows than columns, a real model's residual stream
    /// (896 for Qwen2.5-0.5B) on a few hundred units, are solved in the dual form: the same ridge solution through an
    /// n×n system, where the primal's d³ factorisations would cost minutes per probe.</summary>
    public const int PrimalWidthLimit = 256;

    /// <summary>Whether rows × d features are solved in the dual form (<see cref="PrimalWidthLimit"/>).</summary>
    public static bool SolvesDual(int rows, int d) => d > PrimalWidthLimit && rows < d;

    /// <summary>Standardisation, standardised rows and Gram matrix of some rows (d×d features' products, or in the dual
    /// form the n×n rows' products), with the Cholesky factor of each penalty once needed: everything but the
    /// products with a target, so one design serves every penalty and every target.</summary>
    sealed class Design(List<int> rows, double[] mean, double[] scale, double[] z, double[] gram, int d, bool dual)
    {
        readonly Dictionary<double, double[]> factors = [];
        /// <summary>Order of the system: d in the primal form, the number of rows in the dual.</summary>
        int Order => dual ? rows.Count : d;

        public static Design Of(IReadOnlyList<float[]> x, List<int> rows)
        {
            int n = rows.Count, d = x[0].Length;
            var mean = new double[d];
            var scale = new double[d];
            foreach (int i in rows) for (int j = 0; j < d; j++) mean[j] += x[i][j] / (double)n;
            foreach (int i in rows) for (int j = 0; j < d; j++) scale[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]) / n;
            for (int j = 0; j < d; j++) scale[j] = Math.Sqrt(scale[j]) is var s && s > 1e-12 ? s : 1;
            var z = Standardise(x, rows, mean, scale);
            if (SolvesDual(n, d)) return new Design(rows, mean, scale, z, Kernel(z, n, d), d, dual: true);
            var gram = new double[d * d];
            for (int r = 0; r < n; r++)
            {
                int o = r * d;
                for (int a = 0; a < d; a++)
                {
                    double za = z[o + a];
                    for (int b = 0; b <= a; b++) gram[a * d + b] += za * z[o + b];
                }
            }
            for (int a = 0; a < d; a++)
                for (int b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b];
            return new Design(rows, mean, scale, z, gram, d, dual: false);
        }

        /// <summary>The rows' products with each other, Z·Zᵀ (n×n).</summary>
        static double[] Kernel(double[] z, int n, int d)
        {
            var k = new double[n * n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b <= a; b++)
                {
                    double sum = 0;
                    for (int j = 0; j < d; j++) sum += z[a * d + j] * z[b * d + j];
                    k[a * n + b] = k[b * n + a] = sum;
                }
            return k;
        }

        /// <summary>The given rows of x standardised by this design's mean and scale, row after row.</summary>
        public static double[] Standardise(IReadOnlyList<float[]> x, List<int> rows, double[] mean, double[] scale)
        {
            int d = mean.Length;
            var z = new double[rows.Count * d];
            for (int r = 0; r < rows.Count; r++)
                for (int j = 0; j < d; j++) z[r * d + j] = (x[rows[r]][j] - mean[j]) / scale[j];
            return z;
        }

        public double[] StandardiseOther(IReadOnlyList<float[]> x, List<int> other) => Standardise(x, other, mean, scale);

        /// <summary>What the solution needs of a target, and the target's mean: the standardised rows' cross-products with
        /// the centred target (d) in the primal form, the centred target itself (n) in the dual.</summary>
        public (double[] Products, double YMean) CrossProducts(IReadOnlyList<double> y)
        {
            double yMean = rows.Average(i => y[i]);
            if (dual) return ([.. rows.Select(i => y[i] - yMean)], yMean);
            var xty = new double[d];
            for (int r = 0; r < rows.Count; r++)
            {
                double yc = y[rows[r]] - yMean;
                int o = r * d;
                for (int a = 0; a < d; a++) xty[a] += z[o + a] * yc;
            }
            return (xty, yMean);
        }

        public RidgeProbe Solve(IReadOnlyList<double> y, double penalty) => Solve(CrossProducts(y), penalty);

        /// <summary>Primal: (ZᵀZ + λI) w = Zᵀy. Dual: (ZZᵀ + λI) a = y, w = Zᵀa, the same w.</summary>
        public RidgeProbe Solve((double[] Products, double YMean) target, double penalty)
        {
            int order = Order;
            if (!factors.TryGetValue(penalty, out var l))
            {
                var a = (double[])gram.Clone();
                for (int j = 0; j < order; j++) a[j * order + j] += penalty;
                l = new double[order * order];
                if (!SmallMatrix.TryCholesky(a, order, l)) throw new InvalidOperationException("ridge system is not positive definite");
                factors[penalty] = l;
            }
            var solved = (double[])target.Products.Clone();
            SmallMatrix.CholeskySolve(l, order, solved);
            if (!dual) return new RidgeProbe(mean, scale, solved, target.YMean, penalty);
            var w = new double[d];
            for (int r = 0; r < rows.Count; r++)
                for (int j = 0; j < d; j++) w[j] += z[r * d + j] * solved[r];
            return new RidgeProbe(mean, scale, w, target.YMean, penalty);
        }

        /// <summary>Sum of squared errors of a probe of this design on rows standardised by it (<see cref="StandardiseOther"/>).</summary>
        public static double SquaredError(RidgeProbe probe, double[] zOther, List<int> other, IReadOnlyList<double> y)
        {
            int d = probe.Weights.Length;
            double sum = 0;
            for (int r = 0; r < other.Count; r++)
            {
                double p = probe.Intercept;
                int o = r * d;
                for (int j = 0; j < d; j++) p += probe.Weights[j] * zOther[o + j];
                double e = p - y[other[r]];
                sum += e * e;
            }
            return sum;
        }
    }

    /// <summary>Fits choosing the penalty by cross-validation over the given groups (scenarios).</summary>
    public static RidgeProbe FitTuned(IReadOnlyList<float[]> x, IReadOnlyList<double> y, IReadOnlyList<int> groups, int folds, ulong seed) =>
        FitTuned(x, [y], Enumerable.Range(0, x.Count).ToList(), groups, folds, seed)[0];

    /// <summary>One probe per target, each with its own penalty, fitted on <paramref name="rows"/> (indices into x,
    /// each target and groups); the penalty chosen by cross-validation over the rows' groups.</summary>
    public static RidgeProbe[] FitTuned(IReadOnlyList<float[]> x, IReadOnlyList<IReadOnlyList<double>> ys, List<int> rows, IReadOnlyList<int> groups, int folds, ulong seed)
    {
        var fold = FoldsOf(rows.Select(i => groups[i]).ToList(), folds, seed);
        var error = ys.Select(_ => new double[Penalties.Length]).ToArray();
        if (fold.Values.Distinct().Count() >= 2)
            for (int f = 0; f < folds; f++)
            {
                var train = rows.Where(i => fold[groups[i]] != f).ToList();
                var test = rows.Where(i => fold[groups[i]] == f).ToList();
                if (train.Count == 0 || test.Count == 0) continue;
                var design = Design.Of(x, train);
                var zTest = design.StandardiseOther(x, test);
                for (int t = 0; t < ys.Count; t++)
                {
                    var target = design.CrossProducts(ys[t]);
                    for (int k = 0; k < Penalties.Length; k++)
                        error[t][k] += Design.SquaredError(design.Solve(target, Penalties[k]), zTest, test, ys[t]);
                }
            }
        var all = Design.Of(x, rows);
        return ys.Select((y, t) => all.Solve(y, Penalties[Array.IndexOf(error[t], error[t].Min())])).ToArray();
    }

    /// <summary>Out-of-fold predictions: each group's rows predicted by a probe (penalty tuned inside) fitted without that group's fold.</summary>
    public static double[] CrossValidated(IReadOnlyList<float[]> x, IReadOnlyList<double> y, IReadOnlyList<int> groups, int folds, ulong seed) =>
        CrossValidated(x, [y], groups, folds, seed)[0];

    /// <summary><see cref="CrossValidated(IReadOnlyList{float[]}, IReadOnlyList{double}, IReadOnlyList{int}, int, ulong)"/>
    /// for several targets on the same rows and folds (each target tunes its own penalty).</summary>
    public static double[][] CrossValidated(IReadOnlyList<float[]> x, IReadOnlyList<IReadOnlyList<double>> ys, IReadOnlyList<int> groups, int folds, ulong seed)
    {
        var fold = FoldsOf(groups, folds, seed);
        var predictions = ys.Select(_ => new double[x.Count]).ToArray();
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, x.Count).Where(i => fold[groups[i]] != f).ToList();
            var test = Enumerable.Range(0, x.Count).Where(i => fold[groups[i]] == f).ToList();
            if (test.Count == 0) continue;
            var probes = FitTuned(x, ys, train, groups, folds, seed + 1);
            for (int t = 0; t < ys.Count; t++)
                foreach (int i in test) predictions[t][i] = probes[t].Predict(x[i]);
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
