namespace SelfInterp.Bench.Engine;

/// <summary>The benchmark's model and workload, shared with bench/torch_reference.py.</summary>
public static class BenchConfig
{
    public static readonly SelfInterp.Engine.Transformer.ModelConfig Model = new()
    {
        VocabSize = 1024, Dim = 192, NLayers = 4, NHeads = 6, NKvHeads = 6, MlpHidden = 512, MaxSeqLen = 128,
        RopeTheta = 10000f, NormEps = 1e-5f, TiedEmbeddings = true,
    };
    public const int Batch = 16, SeqLen = 128;
    /// <summary>2 as specified; BENCH_THREADS overrides it for profiling.</summary>
    public static readonly int Threads = int.TryParse(Environment.GetEnvironmentVariable("BENCH_THREADS"), out var t) ? t : 2;
    public const int ScoringPrompts = 1000, PrefixLength = 96, SuffixLength = 12;
}
