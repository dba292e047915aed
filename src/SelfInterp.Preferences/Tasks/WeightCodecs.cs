using SelfInterp.Core.Tasks;

namespace SelfInterp.Preferences.Tasks;

/// <summary>Weight reports through an experiment's codec, as the organism and the simulated agent word and read them.</summary>
public static class WeightCodecs
{
    /// <summary>A weight report's answer as the experiment words it.</summary>
    public static string EncodeWeights(this ITaskCodec codec, WeightReportTask task, IReadOnlyList<int> weights) =>
        codec.Encode(task, new WeightsAnswer(weights.Select(w => (double)w).ToArray()));

    /// <summary>A weight report's answer read back; false with the reason when the text is not one.</summary>
    public static bool TryDecodeWeights(this ITaskCodec codec, WeightReportTask task, string text, out double[] weights, out string problem)
    {
        bool ok = codec.TryDecode(task, text, out var answer, out problem);
        weights = ok && answer is WeightsAnswer w ? w.Weights.ToArray() : [];
        return ok;
    }
}
