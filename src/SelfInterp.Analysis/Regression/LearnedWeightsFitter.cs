using SelfInterp.Core.Random;
using SelfInterp.Analysis.Summary;

namespace SelfInterp.Analysis.Regression;

/// <summary>Fits every scenario of a selections file, in parallel, each with its own seeded stream.</summary>
public static class LearnedWeightsFitter
{
    public static (List<LearnedWeights> Learned, List<FailedScenario> Failed) FitAll(
        SortedDictionary<int, ChoiceData> byScenario, string selectionsFile, AnalysisOptions options)
    {
        var scenarios = byScenario.ToArray();
        var fits = new PosteriorFit[scenarios.Length];
        Parallel.For(0, scenarios.Length, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, k =>
        {
            var random = SeededStream.Derive(options.Seed, $"{selectionsFile}:scenario:{scenarios[k].Key}");
            fits[k] = BayesianLogisticRegression.Fit(scenarios[k].Value, random, options.Posterior);
        });

        var learned = new List<LearnedWeights>();
        var failed = new List<FailedScenario>();
        var weights = new int[5];
        for (int k = 0; k < scenarios.Length; k++)
        {
            var (id, data) = scenarios[k];
            var fit = fits[k];
            if (!fit.Succeeded) failed.Add(new FailedScenario(id, selectionsFile, fit.FailureReason!));
            else if (!WeightScaling.TryScaleToHundred(fit.SlopeMeans, weights))
                failed.Add(new FailedScenario(id, selectionsFile, "every slope's posterior mean is zero"));
            else learned.Add(new LearnedWeights(id, (int[])weights.Clone(), fit, data.Count));
        }
        return (learned, failed);
    }
}
