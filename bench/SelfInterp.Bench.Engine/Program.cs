using System.Diagnostics;
using SelfInterp.Bench.Engine;
using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Training;
using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

// Usage: SelfInterp.Bench.Engine train|profile|scoring|small [steps]
// Prints machine-readable "key: value" lines that bench/engine.sh combines with the PyTorch run.
string mode = args.Length > 0 ? args[0] : "train";
int steps = args.Length > 1 ? int.Parse(args[1]) : 10;
var config = BenchConfig.Model;
var timed = new TimedGemm(GemmProvider.Create(BenchConfig.Threads));
var options = new ModelOptions { Threads = BenchConfig.Threads, Gemm = mode == "profile" ? timed : null };
var model = Model.CreateRandom(config, 1, options);
int tokens = BenchConfig.Batch * BenchConfig.SeqLen;
Console.WriteLine($"gemm: {model.Gemm.Name} threads={BenchConfig.Threads} params={model.ParameterCount}");

switch (mode)
{
    case "train": Train(); break;
    case "profile": Train(); KernelTimes.Run(config, BenchConfig.Batch, BenchConfig.SeqLen, BenchConfig.Threads); break;
    case "small": Small(); break;
    case "scoring": Scoring(); break;
    case "organism": Organism(); break;
    case "organism-gemm": OrganismGemm(); break;
    default: throw new ArgumentException($"unknown mode '{mode}'");
}

Batch RandomBatch(Rng rng)
{
    var seqs = Enumerable.Range(0, BenchConfig.Batch)
        .Select(_ => Enumerable.Range(0, BenchConfig.SeqLen).Select(_ => rng.NextInt(config.VocabSize)).ToArray()).ToList();
    return Batch.FromSequences(seqs, seqs.Select(s => Enumerable.Repeat(true, s.Length).ToArray()).ToList());
}

void Train()
{
    var trainer = new Trainer(model, new TrainerOptions { Schedule = LearningRateSchedule.Constant(1e-3f), WeightDecay = 0.1f });
    var rng = new Rng(2, "bench-data");
    var batches = Enumerable.Range(0, 4).Select(_ => RandomBatch(rng)).ToArray();
    int targets = batches[0].TargetCount;
    var shapes = FlopCount.TrainingGemms(config, tokens, targets);
    var gemmPass = new GemmShapes(model.Gemm is TimedGemm t ? t.Inner : model.Gemm, shapes);
    for (int i = 0; i < 3; i++) { trainer.Step(batches[i % 4]); gemmPass.Run(); }
    timed.Reset();
    KernelProfiler.Enabled = mode == "profile";
    // Training steps and passes of the same GEMM shapes alone alternate, so both see the same machine load;
    // the fastest sample of each is the least disturbed by other processes.
    long allocatedBefore = GC.GetTotalAllocatedBytes();
    var stepTimes = new List<double>();
    var gemmTimes = new List<double>();
    float loss = 0;
    for (int i = 0; i < steps; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        loss = trainer.Step(batches[i % 4]).Loss;
        stepTimes.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        t0 = Stopwatch.GetTimestamp();
        gemmPass.Run();
        gemmTimes.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
    }
    double step = stepTimes.Min(), gemmAlone = gemmTimes.Min();
    Console.WriteLine($"allocated per step (and GEMM pass): {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / steps:F0} KiB");
    double flops = FlopCount.Gemm(shapes) + FlopCount.Attention(config, BenchConfig.Batch, BenchConfig.SeqLen);
    Console.WriteLine($"train step ms: min {step * 1000:F1} median {Median(stepTimes) * 1000:F1} (loss {loss:F3})");
    Console.WriteLine($"train step GFLOP/s: {flops / step / 1e9:F1}");
    Console.WriteLine($"gemm-alone ms for the step's shapes: min {gemmAlone * 1000:F1} median {Median(gemmTimes) * 1000:F1}");
    Console.WriteLine($"gemm GFLOP/s: {gemmPass.Flops / gemmAlone / 1e9:F1}");
    // Each step against the GEMM pass right after it: the fraction of the GEMM's speed the whole step reaches,
    // as the median over these adjacent pairs (robust to load that drifts during the run).
    var fractions = stepTimes.Zip(gemmTimes, (st, gt) => flops / st / (gemmPass.Flops / gt)).ToList();
    Console.WriteLine($"train step / gemm GFLOP/s fraction (median of adjacent pairs): {Median(fractions):F2}");
    Console.WriteLine($"csharp training tokens/s: {tokens / step:F0}");
    double peak = InCachePeak(gemmPass.Gemm);
    Console.WriteLine($"gemm in-cache peak GFLOP/s: {peak:F1}");
    Console.WriteLine($"train step share of the in-cache gemm peak: {flops / step / 1e9 / peak:F2}");
    KernelProfiler.Enabled = false;
    foreach (var (name, (ms, calls)) in KernelProfiler.Snapshot().OrderByDescending(kv => kv.Value.Ms))
        Console.WriteLine($"profile {name,-20} {ms / steps,8:F1} ms/step ({calls / steps} calls)");
    if (mode == "profile")
        Console.WriteLine($"profile: inside GEMM {timed.Elapsed.TotalMilliseconds / steps:F1} ms/step at {timed.Flops / timed.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s; outside GEMM {(stepTimes.Average() * 1000 - timed.Elapsed.TotalMilliseconds / steps):F1} ms/step");
}

static double Median(List<double> xs) { var s = xs.OrderBy(x => x).ToList(); return s[s.Count / 2]; }

void Scoring()
{
    var rng = new Rng(4, "bench-prompts");
    var prefix = Enumerable.Range(0, BenchConfig.PrefixLength).Select(_ => rng.NextInt(config.VocabSize)).ToArray();
    var suffixes = Enumerable.Range(0, BenchConfig.ScoringPrompts)
        .Select(_ => Enumerable.Range(0, BenchConfig.SuffixLength).Select(_ => rng.NextInt(config.VocabSize)).ToArray()).ToList();
    int[] candidates = [65, 66];
    var inference = new Inference(model, maxBatch: 128);
    inference.ScoreWithSharedPrefix(prefix, suffixes, candidates); // warm-up: caches and buffers at full size
    KernelProfiler.Reset();
    var sw = Stopwatch.StartNew();
    var shared = inference.ScoreWithSharedPrefix(prefix, suffixes, candidates);
    double sharedRate = suffixes.Count / sw.Elapsed.TotalSeconds;
    foreach (var (name, (ms, calls)) in KernelProfiler.Snapshot().OrderByDescending(kv => kv.Value.Ms))
        Console.WriteLine($"profile shared-prefix {name,-18} {ms,8:F1} ms ({calls} calls)");

    // The naive path: one full forward per prompt. Timed on a subset; the rate is per prompt.
    int naiveCount = Math.Min(suffixes.Count, 150);
    for (int i = 0; i < 5; i++) inference.ScoreCandidates([.. prefix, .. suffixes[i]], candidates);
    sw.Restart();
    double maxDiff = 0;
    for (int i = 0; i < naiveCount; i++)
    {
        var s = inference.ScoreCandidates([.. prefix, .. suffixes[i]], candidates);
        maxDiff = Math.Max(maxDiff, Math.Max(Math.Abs(s[0] - shared[i][0]), Math.Abs(s[1] - shared[i][1])));
    }
    double naiveRate = naiveCount / sw.Elapsed.TotalSeconds;
    Console.WriteLine($"scoring max |shared − naive| log-prob: {maxDiff:E2}");
    Console.WriteLine($"scoring prompts/s: shared-prefix={sharedRate:F0} naive={naiveRate:F0} ratio={sharedRate / naiveRate:F2}");
}

unsafe void Small()
{
    IGemm g = Environment.GetEnvironmentVariable("SMALL") == "openblas" ? OpenBlasGemm.TryCreate(1)! : new ManagedGemm(1);
    var a = GC.AllocateArray<float>(1 << 20, pinned: true); var b = GC.AllocateArray<float>(1 << 20, pinned: true); var c = GC.AllocateArray<float>(1 << 20, pinned: true);
    for (int i = 0; i < a.Length; i++) { a[i] = 0.01f * (i % 97); b[i] = 0.01f * (i % 89); }
    float* pa = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref a[0]);
    float* pb = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref b[0]);
    float* pc = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref c[0]);
    foreach (var (name, ta, tb, m, n, k, lda, ldb, ldc) in new[] {
        ("S=QK^T", false, true, 32, 128, 32, 576, 576, 128), ("O=PV", false, false, 32, 32, 128, 128, 576, 192),
        ("dV+=P^T dY", true, false, 128, 32, 32, 128, 192, 32), ("dQ=dS K", false, false, 32, 32, 128, 128, 576, 576),
        ("dK+=dS^T Q", true, false, 128, 32, 32, 128, 576, 32) })
    {
        int reps = 20000;
        var sw = Stopwatch.StartNew();
        for (int r = 0; r < reps; r++) g.Multiply(pa, lda, ta, pb, ldb, tb, m, n, k, 1f, 1f, pc, ldc);
        double s = sw.Elapsed.TotalSeconds / reps;
        Console.WriteLine($"{name}: {s * 1e6:F2} us, {2.0 * m * n * k / s / 1e9:F1} GFLOP/s");
    }
    GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(c);
}

// A model and workload of the organism's kind: ~2M parameters, chat prompts of ~100 tokens, loss on a short
// answer only; then scoring of independent prompts one by one and batched.
// The GEMM's practical peak on this CPU: a product whose operands stay in cache (480×256 by 256×256), fastest of 30.
static double InCachePeak(IGemm gemm)
{
    var pass = new GemmShapes(gemm, [(480, 256, 256, false, false)]);
    double best = double.MaxValue;
    for (int i = 0; i < 33; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        pass.Run();
        if (i >= 3) best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
    }
    return pass.Flops / best / 1e9;
}

// The naive organism's GEMMs of one pretraining step (256 decisions of 18 tokens, 96 reports of 59, 3,808 answer
// tokens, d=128, hidden 384, vocab 2,267), one thread, timed by the process's CPU time (robust to other load), each
// shape's GFLOP/s beside the in-cache peak.
void OrganismGemm()
{
    int rows = 256 * 18 + 96 * 59, answers = 3808, d = 128, hid = 384, vocab = 2267;
    var shapes = new List<(string, (int M, int N, int K, bool TA, bool TB))>
    {
        ("qkv", (rows, 3 * d, d, false, true)), ("wo", (rows, d, d, false, true)), ("w13", (rows, 2 * hid, d, false, true)),
        ("w2", (rows, d, hid, false, true)), ("logits", (answers, vocab, d, false, true)),
        ("dx qkv", (rows, d, 3 * d, false, false)), ("dx w13", (rows, d, 2 * hid, false, false)), ("dx w2", (rows, hid, d, false, false)),
        ("dw qkv", (3 * d, d, rows, true, false)), ("dw w13", (2 * hid, d, rows, true, false)), ("dw w2", (d, hid, rows, true, false)),
        ("dx logits", (answers, d, vocab, false, false)), ("dw logits", (vocab, d, answers, true, false)),
    };
    var gemm = new ManagedGemm(1);
    Console.WriteLine($"in-cache peak GFLOP/s (1 thread): {InCachePeak(gemm):F1}");
    foreach (var (name, shape) in shapes)
    {
        var pass = new GemmShapes(gemm, [shape]);
        pass.Run();
        var cpu = System.Diagnostics.Process.GetCurrentProcess();
        var t0 = cpu.TotalProcessorTime;
        for (int i = 0; i < steps; i++) pass.Run();
        cpu.Refresh();
        Console.WriteLine($"organism gemm {name,-10} {shape.M}x{shape.N}x{shape.K}: {pass.Flops * steps / (cpu.TotalProcessorTime - t0).TotalSeconds / 1e9:F1} GFLOP/s (cpu time)");
    }
}

void Organism()
{
    var oc = new ModelConfig { VocabSize = 2000, Dim = 128, NLayers = 4, NHeads = 4, NKvHeads = 4, MlpHidden = 384, MaxSeqLen = 160 };
    var om = Model.CreateRandom(oc, 5, options);
    var r = new Rng(6, "organism");
    (int[], int[]) Example() => (Enumerable.Range(0, 90 + r.NextInt(20)).Select(_ => r.NextInt(oc.VocabSize)).ToArray(),
        Enumerable.Range(0, 3).Select(_ => r.NextInt(oc.VocabSize)).ToArray());
    var examples = Enumerable.Range(0, 32 * 8).Select(_ => Example()).ToList();
    var batches = Batches.Epoch(examples, 32, 1, 0).ToList();
    var trainer = new Trainer(om, new TrainerOptions());
    trainer.Step(batches[0]);
    KernelProfiler.Reset();
    var sw = Stopwatch.StartNew();
    foreach (var b in batches) trainer.Step(b);
    double perStep = sw.Elapsed.TotalSeconds / batches.Count;
    foreach (var (name, (ms, calls)) in KernelProfiler.Snapshot().OrderByDescending(kv => kv.Value.Ms))
        Console.WriteLine($"profile {name,-20} {ms / batches.Count,8:F1} ms/step ({calls / batches.Count} calls)");
    Console.WriteLine($"organism: params={om.ParameterCount} batch=32 seq≈100 answer=3 tokens: {perStep * 1000:F1} ms/step, {32 / perStep:F0} sequences/s");
    var inf = new Inference(om, maxBatch: 64);
    var prompts = examples.Take(128).Select(e => e.Item1).ToList();
    sw.Restart();
    foreach (var p in prompts.Take(32)) inf.ScoreCandidates(p, [1, 2]);
    double single = 32 / sw.Elapsed.TotalSeconds;
    sw.Restart();
    inf.ScoreWithSharedPrefix([], prompts, [1, 2]);
    double batched = prompts.Count / sw.Elapsed.TotalSeconds;
    Console.WriteLine($"organism scoring prompts/s: one-by-one={single:F0} batched={batched:F0}");
}
