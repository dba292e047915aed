using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

// Usage: SelfInterp.Bench.HuggingFace gen DIR [SHAPE [CORPUS_FILE MERGES]] | adapter DIR [SEED [SHAPE]] | engine DIR THREADS PROMPT DECODE | llamacpp DIR THREADS PROMPT DECODE
// gen writes a random checkpoint as Hugging Face BF16 shards (DIR/hf) and as F32 GGUF of the same numbers
// (DIR/model.gguf): SHAPE qwen05b (Qwen2.5-0.5B's, the default) or tiny (2 layers, width 64, the tests' Qwen2 model
// with room for the protocol's prompts). Its tokenizer is learned from the tests' short corpus, or with CORPUS_FILE
// and MERGES from that text: learned from the protocol's prompts, the prompts take about as many tokens as a real
// vocabulary gives them, which is what the lab's time per prompt depends on (docs/real-models.md).
// The other modes time prefill (one pass over PROMPT tokens, logits of the last) and greedy decode (DECODE tokens,
// one pass each) and print "key: value" lines that bench/hf-vs-llamacpp.sh puts side by side.
// adapter writes a random PEFT LoRA adapter for SHAPE (rank 8 on q, v and down) to DIR/adapter, drawn from SEED (3
// unless given; one adapter per seed, e.g. an instilled and an itrained model for the lab run).
string mode = args[0], dir = args[1];
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
bool timed = mode is "engine" or "llamacpp";
int threads = timed ? Arg(2, 2) : 0, promptLength = timed ? Arg(3, 128) : 0, decode = timed ? Arg(4, 32) : 0;

switch (mode)
{
    case "gen": Generate(Shape(args.Length > 2 ? args[2] : "qwen05b"), args.Length > 4 ? (File.ReadAllText(args[3]), int.Parse(args[4])) : null); break;
    case "adapter": RandomPeftAdapter.Write(Shape(args.Length > 3 ? args[3] : "qwen05b"), Path.Combine(dir, "adapter"), 8, ["q_proj", "v_proj", "down_proj"], 16, false, seed: args.Length > 2 ? ulong.Parse(args[2]) : 3); break;
    case "engine": Engine(); break;
    case "llamacpp": LlamaCpp(); break;
    default: throw new ArgumentException($"unknown mode '{mode}'");
}

static TinyModelSpec Shape(string name) => name switch
{
    "qwen05b" => TinyModelSpec.Qwen05B,
    "tiny" => TinyModelSpec.QwenTied with { MaxPositions = 4096 },
    _ => throw new ArgumentException($"unknown shape '{name}' (qwen05b or tiny)"),
};

void Generate(TinyModelSpec spec, (string Text, int Merges)? corpus)
{
    var sw = Stopwatch.StartNew();
    if (corpus is { } c) spec = spec with { Merges = c.Merges };
    var fixture = new RandomHfModel(spec, type: StoredType.BF16, corpus: corpus?.Text);
    Console.WriteLine($"generated_seconds: {sw.Elapsed.TotalSeconds:F1}");
    Console.WriteLine($"vocabulary: {fixture.Bpe.Tokens.Count} tokens learned ({fixture.Bpe.Merges.Count} merges), {fixture.VocabSize} in all");
    fixture.WriteHf(Path.Combine(dir, "hf"), StoredType.BF16, shards: 2);
    GgufWriter.Write(fixture, Path.Combine(dir, "model.gguf"));
    Console.WriteLine($"written_seconds: {sw.Elapsed.TotalSeconds:F1}");
}

void Engine()
{
    var sw = Stopwatch.StartNew();
    var hf = HfModel.Load(HfModelSpec.Parse("hf:" + Path.Combine(dir, "hf")), contextLength: 1024, new ModelOptions { Threads = threads });
    Report("load_seconds", sw.Elapsed.TotalSeconds);
    Report("params", hf.Model.ParameterCount);
    Report("rss_gb_after_load", Process.GetCurrentProcess().WorkingSet64 / 1e9);
    var inference = new Inference(hf.Model);
    var tokens = Prompt(promptLength, hf.Model.Config.VocabSize);
    inference.ScoreCandidates(tokens.AsSpan(0, 16), [0]); // warm-up
    double prefill = Best(() => inference.ScoreCandidates(tokens, [0]));
    Report("prefill_tokens_per_second", promptLength / prefill);
    sw.Restart();
    var generated = inference.Generate(tokens, decode);
    double total = sw.Elapsed.TotalSeconds;
    Report("decode_ms_per_token", 1000 * (total - prefill) / (generated.Length - 1));
    Report("peak_rss_gb", Process.GetCurrentProcess().PeakWorkingSet64 / 1e9);
}

void LlamaCpp()
{
    var sw = Stopwatch.StartNew();
    var p = new ModelParams(Path.Combine(dir, "model.gguf"))
    {
        ContextSize = 1024, BatchSize = 512, UBatchSize = 512, Threads = threads, BatchThreads = threads, GpuLayerCount = 0,
        TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
    };
    using var weights = LLamaWeights.LoadFromFile(p);
    using var context = weights.CreateContext(p);
    Report("load_seconds", sw.Elapsed.TotalSeconds);
    Report("rss_gb_after_load", Process.GetCurrentProcess().WorkingSet64 / 1e9);
    var ctx = context.NativeHandle;
    var tokens = Prompt(promptLength, TinyModelSpec.Qwen05B.VocabSize!.Value);
    float[] Prefill(int[] t)
    {
        ctx.MemoryClear();
        var batch = new LLamaBatch();
        for (int i = 0; i < t.Length; i++) batch.Add((LLamaToken)t[i], i, (LLamaSeqId)0, i == t.Length - 1);
        if (ctx.Decode(batch) != DecodeResult.Ok) throw new InvalidOperationException("llama_decode failed");
        return ctx.GetLogitsIth(batch.TokenCount - 1).ToArray();
    }
    Prefill(tokens[..16]); // warm-up
    double prefill = Best(() => Prefill(tokens));
    Report("prefill_tokens_per_second", promptLength / prefill);
    sw.Restart();
    var logits = Prefill(tokens);
    for (int step = 1; step < decode; step++)
    {
        var batch = new LLamaBatch();
        batch.Add((LLamaToken)ArgMax(logits), promptLength + step - 1, (LLamaSeqId)0, true);
        if (ctx.Decode(batch) != DecodeResult.Ok) throw new InvalidOperationException("llama_decode failed");
        logits = ctx.GetLogitsIth(0).ToArray();
    }
    Report("decode_ms_per_token", 1000 * (sw.Elapsed.TotalSeconds - prefill) / (decode - 1));
    Report("peak_rss_gb", Process.GetCurrentProcess().PeakWorkingSet64 / 1e9);
}

static double Best(Action run)
{
    double best = double.MaxValue;
    for (int i = 0; i < 2; i++)
    {
        var sw = Stopwatch.StartNew();
        run();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return best;
}

static int ArgMax(float[] x)
{
    int best = 0;
    for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
    return best;
}

static int[] Prompt(int length, int vocab)
{
    var rng = new Rng(11, "bench-prompt");
    return Enumerable.Range(0, length).Select(_ => rng.NextInt(vocab)).ToArray();
}

static void Report(string key, double value) => Console.WriteLine(FormattableString.Invariant($"{key}: {value:0.###}"));
