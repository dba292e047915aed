using SelfInterp.Core.Random;
using SelfInterp.Core.Csv;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// Writes a run directory in the paper's layout from known weights (PROTOCOL.md, "Generating data"):
/// scenarios with ranges, weights with max |w| = 100, trials with values uniform in range, choices by
/// logistic noise on the utility Σ wᵢ (xᵢ − minᵢ)/(maxᵢ − minᵢ), reports = true weights + Gaussian noise
/// (or pure noise), all six report files. Everything comes from one seed.
/// </summary>
public sealed record SyntheticRun
{
    public ulong Seed { get; init; } = 1;
    public string[] Models { get; init; } = ["simmodel"];
    public int InstilledScenarios { get; init; } = 20;
    public int NativeScenarios { get; init; } = 20;
    public int InstilledTrials { get; init; } = 50;
    public int NativeTrials { get; init; } = 100;
    public int ReportsPerScenario { get; init; } = 10;

    /// <summary>Scale of the logistic noise added to the utility difference (utility units; weights are ±100).</summary>
    public double ChoiceNoise { get; init; } = 10;

    /// <summary>Standard deviation of the Gaussian noise added to each reported weight.</summary>
    public double ReportNoise { get; init; } = 0;

    /// <summary>S.d. of the report noise of the itrained models (both halves and the native after); null: <see cref="ReportNoise"/>.</summary>
    public double? ItrainedReportNoise { get; init; }

    /// <summary>S.d. of the base model's report noise; null: <see cref="ReportNoise"/>.</summary>
    public double? BaseReportNoise { get; init; }

    /// <summary>
    /// S.d. of an error each scenario × attribute carries into every report condition alike (the model's lasting
    /// misreading of that weight), drawn from its own stream so runs without it keep their bytes.
    /// </summary>
    public double SharedReportError { get; init; }

    /// <summary>Reports that ignore the weights: Gaussian with sd 50 around zero.</summary>
    public bool PureNoiseReports { get; init; }

    /// <summary>The weights the simulated model acts on, by scenario (instilled ones are also the targets).</summary>
    public sealed record Truth(SortedDictionary<int, int[]> Weights, SortedDictionary<int, (double[] Min, double[] Max)> Ranges);

    public Truth Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var rng = new SeededStream("analysis", Seed);
        int total = InstilledScenarios + NativeScenarios;
        var ranges = new SortedDictionary<int, (double[] Min, double[] Max)>();
        var weights = new SortedDictionary<int, int[]>();

        var scenarios = new CsvWriter(PaperLayout.ScenarioColumns);
        for (int s = 0; s < total; s++)
        {
            var min = new double[5];
            var max = new double[5];
            for (int i = 0; i < 5; i++)
            {
                // Ranges of very different magnitudes, as in the real catalog (hours of sun, dollars, ...).
                double magnitude = Math.Pow(10, Math.Floor(rng.Uniform(-1, 4)));
                min[i] = Math.Round(rng.Uniform(-5, 5) * magnitude, 3);
                max[i] = min[i] + Math.Round(rng.Uniform(1, 10) * magnitude, 3);
            }
            ranges[s] = (min, max);
            weights[s] = DrawWeights(rng);
            scenarios.Field(s).Field($"Which option would you prefer in situation {s}?");
            for (int i = 0; i < 5; i++) scenarios.Field($"attribute_{s}_{i + 1}");
            foreach (var v in min) scenarios.Field(v);
            foreach (var v in max) scenarios.Field(v);
        }
        scenarios.WriteTo(Path.Combine(dir, PaperLayout.ScenariosFile));

        var targets = new CsvWriter(PaperLayout.WeightColumns);
        for (int s = 0; s < InstilledScenarios; s++)
        {
            targets.Field(s);
            foreach (var w in weights[s]) targets.Field(w);
        }
        targets.WriteTo(Path.Combine(dir, PaperLayout.InstilledWeightsFile));

        var instilled = Enumerable.Range(0, InstilledScenarios).ToArray();
        var native = Enumerable.Range(InstilledScenarios, NativeScenarios).ToArray();
        int half = InstilledScenarios / 2;
        var errorRng = SeededStream.Derive(Seed, "shared_report_error");
        var shared = Enumerable.Range(0, total).Select(_ => Enumerable.Range(0, 5).Select(_ => SharedReportError > 0 ? SharedReportError * errorRng.NextGaussian() : 0).ToArray()).ToArray();
        foreach (var model in Models)
        {
            WriteSelections(Path.Combine(dir, PaperLayout.InstilledSelections(model)), model, instilled, InstilledTrials, ranges, weights, rng);
            WriteSelections(Path.Combine(dir, PaperLayout.LatentSelections(model)), model, native, NativeTrials, ranges, weights, rng);
            WriteReports(dir, model, shared, ReportCondition.Base, instilled, ranges, weights, rng);
            WriteReports(dir, model, shared, ReportCondition.Instilled, instilled, ranges, weights, rng);
            WriteReports(dir, model, shared, ReportCondition.ItrainedFirstHalf, instilled[half..], ranges, weights, rng);
            WriteReports(dir, model, shared, ReportCondition.ItrainedSecondHalf, instilled[..half], ranges, weights, rng);
            WriteReports(dir, model, shared, ReportCondition.NativeBefore, native, ranges, weights, rng);
            WriteReports(dir, model, shared, ReportCondition.NativeAfter, native, ranges, weights, rng);
        }
        return new Truth(weights, ranges);
    }

    /// <summary>Five uniform draws in (−100, 100), scaled so the largest |w| is 100, rounded.</summary>
    private static int[] DrawWeights(SeededStream rng)
    {
        var raw = new double[5];
        for (int i = 0; i < 5; i++) raw[i] = rng.Uniform(-100, 100);
        double max = raw.Max(Math.Abs);
        return raw.Select(w => (int)Math.Round(100 * w / max)).ToArray();
    }

    private static double[] DrawOption(SeededStream rng, (double[] Min, double[] Max) range)
    {
        var x = new double[5];
        for (int i = 0; i < 5; i++) x[i] = Math.Round(rng.Uniform(range.Min[i], range.Max[i]), 4);
        return x;
    }

    public static double Utility(int[] w, double[] x, (double[] Min, double[] Max) range)
    {
        double u = 0;
        for (int i = 0; i < 5; i++) u += w[i] * (x[i] - range.Min[i]) / (range.Max[i] - range.Min[i]);
        return u;
    }

    private void WriteSelections(string path, string model, int[] scenarios, int trials,
        SortedDictionary<int, (double[] Min, double[] Max)> ranges, SortedDictionary<int, int[]> weights, SeededStream rng)
    {
        var csv = new CsvWriter(PaperLayout.SelectionColumns);
        foreach (var s in scenarios)
            for (int t = 0; t < trials; t++)
            {
                var a = DrawOption(rng, ranges[s]);
                var b = DrawOption(rng, ranges[s]);
                double u = rng.NextDouble();
                double logisticNoise = ChoiceNoise * Math.Log(u / (1 - u));
                bool choseA = Utility(weights[s], a, ranges[s]) - Utility(weights[s], b, ranges[s]) + logisticNoise > 0;
                csv.Field($"ft:{model}:instilled").Field(s).Field(choseA ? "A" : "B");
                foreach (var v in a) csv.Field(v);
                foreach (var v in b) csv.Field(v);
            }
        csv.WriteTo(path);
    }

    private void WriteReports(string dir, string model, double[][] shared, ReportCondition condition, int[] scenarios,
        SortedDictionary<int, (double[] Min, double[] Max)> ranges, SortedDictionary<int, int[]> weights, SeededStream rng)
    {
        var csv = new CsvWriter(PaperLayout.ReportColumns);
        bool latent = condition is ReportCondition.NativeBefore or ReportCondition.NativeAfter;
        double noise = condition switch
        {
            ReportCondition.ItrainedFirstHalf or ReportCondition.ItrainedSecondHalf or ReportCondition.NativeAfter => ItrainedReportNoise ?? ReportNoise,
            ReportCondition.Base => BaseReportNoise ?? ReportNoise,
            _ => ReportNoise,
        };
        foreach (var s in scenarios)
            for (int k = 0; k < ReportsPerScenario; k++)
            {
                csv.Field($"ft:{model}:{condition}").Field(latent ? PaperLayout.VersionLatent : PaperLayout.VersionInstilled).Field(s);
                for (int i = 0; i < 5; i++)
                {
                    double report = PureNoiseReports ? 50 * rng.NextGaussian() : weights[s][i] + shared[s][i] + noise * rng.NextGaussian();
                    // On the scale the model is asked for, as a model answering the question gives it (issue 24:
                    // a value outside it is a bad report).
                    csv.Field(Math.Clamp(Math.Round(report), -100, 100));
                }
                foreach (var v in DrawOption(rng, ranges[s])) csv.Field(v);
                foreach (var v in DrawOption(rng, ranges[s])) csv.Field(v);
            }
        csv.WriteTo(Path.Combine(dir, PaperLayout.Reports(model, condition, ReportCounts.Paper)));
    }
}
