using SelfInterp.Core.Random;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// An independent reference for the posterior mean: a long random-walk Metropolis run on the same model,
/// with its own plain log posterior (not the library's). A pilot run sets the proposal covariance
/// (scaled 2.38²/d); the Monte Carlo error of the mean comes from batch means.
/// </summary>
public static class MetropolisReference
{
    private const int P = 6;

    public static double LogPosterior(List<(double[] D, bool ChoseA)> trials, double[] theta)
    {
        double lp = -2 * Math.Log(1 + theta[0] * theta[0] / (3 * 2.5 * 2.5)); // student_t(3, 0, 2.5)
        for (int i = 1; i < P; i++) lp -= theta[i] * theta[i] / 2;            // normal(0, 1)
        foreach (var (d, choseA) in trials)
        {
            double eta = theta[0];
            for (int i = 0; i < 5; i++) eta += theta[i + 1] * d[i];
            double pA = 1 / (1 + Math.Exp(-eta));
            lp += Math.Log(choseA ? pA : 1 - pA);
        }
        return lp;
    }

    public static (double[] Mean, double[] Error) Run(List<(double[] D, bool ChoseA)> trials, int iterations, ulong seed)
    {
        var rng = new SeededStream("analysis", seed);
        // Pilot: isotropic steps, then the sample covariance of its second half.
        var pilot = Chain(trials, new double[P], Identity(0.15), 20_000, rng);
        var cov = Covariance(pilot.Skip(10_000).ToList());
        for (int i = 0; i < P * P; i++) cov[i] *= 2.38 * 2.38 / P;
        var chain = Chain(trials, pilot[^1], Cholesky(cov), iterations, rng);

        var mean = new double[P];
        foreach (var s in chain) for (int i = 0; i < P; i++) mean[i] += s[i] / chain.Count;
        // Batch means: 50 batches of consecutive draws.
        const int batches = 50;
        int size = chain.Count / batches;
        var error = new double[P];
        for (int i = 0; i < P; i++)
        {
            double acc = 0;
            for (int b = 0; b < batches; b++)
            {
                double m = 0;
                for (int k = b * size; k < (b + 1) * size; k++) m += chain[k][i] / size;
                acc += (m - mean[i]) * (m - mean[i]);
            }
            error[i] = Math.Sqrt(acc / (batches - 1) / batches);
        }
        return (mean, error);
    }

    private static List<double[]> Chain(List<(double[] D, bool ChoseA)> trials, double[] start, double[] chol, int n, SeededStream rng)
    {
        var current = (double[])start.Clone();
        double lp = LogPosterior(trials, current);
        var samples = new List<double[]>(n);
        var z = new double[P];
        for (int t = 0; t < n; t++)
        {
            for (int i = 0; i < P; i++) z[i] = rng.NextGaussian();
            var proposal = new double[P];
            for (int i = 0; i < P; i++)
            {
                proposal[i] = current[i];
                for (int k = 0; k <= i; k++) proposal[i] += chol[i * P + k] * z[k];
            }
            double lpProposal = LogPosterior(trials, proposal);
            if (Math.Log(rng.NextDouble()) < lpProposal - lp) { current = proposal; lp = lpProposal; }
            samples.Add(current);
        }
        return samples;
    }

    private static double[] Identity(double scale)
    {
        var m = new double[P * P];
        for (int i = 0; i < P; i++) m[i * P + i] = scale;
        return m;
    }

    private static double[] Covariance(List<double[]> samples)
    {
        var mean = new double[P];
        foreach (var s in samples) for (int i = 0; i < P; i++) mean[i] += s[i] / samples.Count;
        var cov = new double[P * P];
        foreach (var s in samples)
            for (int i = 0; i < P; i++)
                for (int j = 0; j < P; j++) cov[i * P + j] += (s[i] - mean[i]) * (s[j] - mean[j]) / (samples.Count - 1);
        return cov;
    }

    private static double[] Cholesky(double[] a)
    {
        var l = new double[P * P];
        for (int i = 0; i < P; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * P + j];
                for (int k = 0; k < j; k++) sum -= l[i * P + k] * l[j * P + k];
                l[i * P + j] = i == j ? Math.Sqrt(sum) : sum / l[j * P + j];
            }
        return l;
    }
}
