using SelfInterp.Analysis.Statistics;

namespace SelfInterp.Experiments.OrganismEvaluation;

/// <summary>
/// One measure at the recipe level: the pretraining seed is the unit. <see cref="Estimate"/> is the mean of the
/// seeds' means (each seed counts once, however many of its runs have the measure); its 95% interval is Student's
/// t on those seed means with k − 1 degrees of freedom, which is the random-intercept model's interval for the grand
/// mean (exact when every seed has the same number of runs: the seed means are then independent with variance
/// σ_b² + σ_w²/m). <see cref="BetweenSeedSd"/> and <see cref="WithinSeedSd"/> are the model's two spreads by the
/// method of moments (one-way ANOVA), <see cref="Icc"/> the share of variance between seeds.
/// </summary>
public sealed record RecipeEstimate(string Measure, int PretrainSeeds, int Runs, int MinRunsPerSeed, int MaxRunsPerSeed,
    double Estimate, double Low, double High, double StandardError, double BetweenSeedSd, double WithinSeedSd, double Icc)
{
    /// <summary>The estimate from each seed's values of the measure (non-finite values are runs without it).</summary>
    public static RecipeEstimate Of(string measure, IReadOnlyList<IReadOnlyList<double>> seeds)
    {
        var groups = seeds.Select(s => s.Where(double.IsFinite).ToArray()).Where(s => s.Length > 0).ToList();
        int k = groups.Count, runs = groups.Sum(g => g.Length);
        var means = groups.Select(g => Descriptive.Mean(g)).ToArray();
        double estimate = k == 0 ? double.NaN : Descriptive.Mean(means);
        double se = k < 2 ? double.NaN : Descriptive.StandardDeviation(means) / Math.Sqrt(k);
        double half = k < 2 ? double.NaN : StudentT.Critical95(k - 1) * se;

        // Within: the runs' spread about their own seed's mean, pooled over seeds with two runs or more.
        int withinDf = groups.Sum(g => g.Length - 1);
        double within = withinDf == 0 ? double.NaN
            : groups.Sum(g => { double m = Descriptive.Mean(g); return g.Sum(x => (x - m) * (x - m)); }) / withinDf;
        // Between: the seed means vary by σ_b² plus each mean's own run noise σ_w²/m (averaged over seeds when m differs).
        double meanVariance = k < 2 ? double.NaN : Math.Pow(Descriptive.StandardDeviation(means), 2);
        double between = double.IsNaN(meanVariance) ? double.NaN
            : Math.Max(0, meanVariance - (double.IsNaN(within) ? 0 : within * groups.Average(g => 1.0 / g.Length)));
        double icc = double.IsNaN(between) || double.IsNaN(within) || between + within == 0 ? double.NaN : between / (between + within);
        return new RecipeEstimate(measure, k, runs, k == 0 ? 0 : groups.Min(g => g.Length), k == 0 ? 0 : groups.Max(g => g.Length),
            estimate, estimate - half, estimate + half, se, Math.Sqrt(between), Math.Sqrt(within), icc);
    }

    /// <summary>Every summarised measure of the rows, with one group per organism (one organism is one pretraining);
    /// <paramref name="summarised"/> picks the measures (by default the evaluation's: <see cref="EvaluationRow.IsSummarised"/>
    /// without the run time).</summary>
    public static IReadOnlyList<RecipeEstimate> All(IReadOnlyList<EvaluationRow> rows, Func<string, bool>? summarised = null)
    {
        if (rows.Count == 0) return [];
        summarised ??= c => EvaluationRow.IsSummarised(c) && c != "run_seconds";
        var organisms = rows.GroupBy(r => r.Organism).ToList();
        return rows[0].Measures.Where(m => summarised(m.Column))
            .Select(m => Of(m.Column, organisms.Select(g => (IReadOnlyList<double>)g.Select(r => r[m.Column]).ToList()).ToList()))
            .ToList();
    }
}
