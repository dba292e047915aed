using SelfInterp.Analysis.Regression;

namespace SelfInterp.Experiments.Preferences.Simulated;

/// <summary>
/// Maximum a posteriori logistic regression without intercept and with a normal(0, priorScale²) prior on each
/// slope, by Newton's method: how the ideal observer learns weights from labelled choices. The prior keeps the
/// negative Hessian positive definite, so each step is a Cholesky solve (the analysis's small-matrix code).
/// </summary>
public static class LogisticFit
{
    public static double[] Fit(IReadOnlyList<double[]> x, IReadOnlyList<bool> y, double priorScale)
    {
        int p = x[0].Length;
        var beta = new double[p];
        var grad = new double[p];
        var negHessian = new double[p * p];
        var chol = new double[p * p];
        double precision = 1 / (priorScale * priorScale);
        for (int iter = 0; iter < 50; iter++)
        {
            Array.Clear(negHessian);
            for (int j = 0; j < p; j++) { grad[j] = -precision * beta[j]; negHessian[j * p + j] = precision; }
            for (int n = 0; n < x.Count; n++)
            {
                double eta = 0;
                for (int j = 0; j < p; j++) eta += x[n][j] * beta[j];
                double mu = 1 / (1 + Numerics.DeterministicMath.Exp(-eta)), w = mu * (1 - mu);
                for (int j = 0; j < p; j++)
                {
                    grad[j] += ((y[n] ? 1 : 0) - mu) * x[n][j];
                    for (int k = 0; k < p; k++) negHessian[j * p + k] += w * x[n][j] * x[n][k];
                }
            }
            if (!SmallMatrix.TryCholesky(negHessian, p, chol))
                throw new InvalidOperationException("logistic fit: the negative Hessian is not positive definite");
            SmallMatrix.CholeskySolve(chol, p, grad); // grad becomes the Newton step
            double size = 0;
            for (int j = 0; j < p; j++) { beta[j] += grad[j]; size = Math.Max(size, Math.Abs(grad[j])); }
            if (size < 1e-9) break;
        }
        return beta;
    }
}
