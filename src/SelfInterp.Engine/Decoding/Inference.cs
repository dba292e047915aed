using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Block;
using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Decoding;

/// <summary>Inference over a model: full logits, next-token log-probabilities of candidate tokens, scoring of
/// many prompts that share a prefix (the prefix runs once into a KV cache), and greedy generation with a KV
/// cache. Holds scratch buffers: use one instance per thread.</summary>
public sealed unsafe class Inference
{
    readonly Model _model;
    readonly PinnedBuffer _x = new(), _norm = new(), _qkv = new(), _att = new(), _gateUp = new(), _swi = new(), _u = new(),
        _rows = new(), _prefixScores = new();
    float[][] _scratch = [];
    KvCache? _suffixCache, _singleCache;

    /// <summary>This instance's reusable cache for one sequence of up to capacity positions.</summary>
    KvCache SingleCache(int capacity)
    {
        if (_singleCache is null) _singleCache = new KvCache(Config, 1, capacity);
        else _singleCache.Reset(1, capacity);
        return _singleCache;
    }
    /// <summary>Suffixes scored together in one batched forward.</summary>
    public int MaxBatch { get; }

    public Inference(Model model, int maxBatch = 64)
    {
        _model = model;
        MaxBatch = Math.Max(1, maxBatch);
    }

    ModelConfig Config => _model.Config;

    /// <summary>Hooks on the residual stream for this instance's passes. Sequence numbers are the prompt's index
    /// in the call (0 for single-prompt calls; −1 for the shared prefix of <see cref="ScoreWithSharedPrefix"/>).</summary>
    public Hooks? Hooks { get; set; }

    /// <summary>Logits [tokens.Length, vocab] for every position, computed in one pass without reuse.</summary>
    public float[] Logits(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length == 0) throw new ArgumentException("no tokens to run", nameof(tokens));
        var cache = SingleCache(tokens.Length);
        var rows = Enumerable.Range(0, tokens.Length).ToArray();
        return Run(cache, tokens.ToArray(), [tokens.Length], tokens.Length, rows);
    }

    /// <summary>TransformerLens's run_with_cache: logits [tokens.Length, vocab] and the activations of every position
    /// (sequence 0) at the given hook points. This instance's own <see cref="Hooks"/> run first, so the cache holds
    /// what an intervention made of the stream.</summary>
    public (float[] Logits, ActivationCache Cache) RunWithCache(ReadOnlySpan<int> tokens, IEnumerable<HookPoint> points)
    {
        var cache = new ActivationCache();
        var own = Hooks;
        var combined = new Hooks();
        if (own is not null) foreach (var p in own.Points) combined.Add(p, own.Run);
        foreach (var p in points.Distinct()) combined.Record(p, cache);
        Hooks = combined;
        try { return (Logits(tokens), cache); }
        finally { Hooks = own; }
    }

    /// <summary>log P(candidate | prompt) for each candidate token, from one forward pass over the prompt.</summary>
    public float[] ScoreCandidates(ReadOnlySpan<int> prompt, ReadOnlySpan<int> candidates)
    {
        if (prompt.Length == 0) throw new ArgumentException("prompt must not be empty", nameof(prompt));
        var cache = SingleCache(prompt.Length);
        var logits = Run(cache, prompt.ToArray(), [prompt.Length], prompt.Length, [prompt.Length - 1]);
        return LogProbs(logits, 0, candidates);
    }

    /// <summary>For each suffix, log P(candidate | prefix + suffix). The prefix is run once into a shared KV
    /// cache; suffixes are then run in batches of <see cref="MaxBatch"/> on top of it.</summary>
    public float[][] ScoreWithSharedPrefix(ReadOnlySpan<int> prefix, IReadOnlyList<int[]> suffixes, ReadOnlySpan<int> candidates)
    {
        var result = new float[suffixes.Count][];
        KvCache? prefixCache = null;
        float[]? afterPrefix = null;
        if (prefix.Length > 0)
        {
            prefixCache = new KvCache(Config, 1, prefix.Length);
            afterPrefix = LogProbs(Run(prefixCache, prefix.ToArray(), [prefix.Length], prefix.Length, [prefix.Length - 1], firstSequence: -1), 0, candidates);
        }
        for (int start = 0; start < suffixes.Count; start += MaxBatch)
        {
            int count = Math.Min(MaxBatch, suffixes.Count - start);
            var group = new List<(int Index, int[] Tokens)>();
            for (int i = 0; i < count; i++)
            {
                var s = suffixes[start + i];
                if (s.Length == 0)
                    result[start + i] = afterPrefix?.ToArray() ?? throw new ArgumentException($"suffix {start + i} is empty and there is no prefix");
                else group.Add((start + i, s));
            }
            if (group.Count == 0) continue;
            int tn = group.Max(g => g.Tokens.Length);
            var tokens = new int[group.Count * tn];
            var lengths = new int[group.Count];
            var rows = new int[group.Count];
            for (int b = 0; b < group.Count; b++)
            {
                group[b].Tokens.CopyTo(tokens, b * tn);
                lengths[b] = group[b].Tokens.Length;
                rows[b] = b * tn + lengths[b] - 1;
            }
            if (_suffixCache is null) _suffixCache = new KvCache(Config, group.Count, tn, prefixCache);
            else _suffixCache.Reset(group.Count, tn, prefixCache);
            var logits = Run(_suffixCache, tokens, lengths, tn, rows, start);
            for (int b = 0; b < group.Count; b++) result[group[b].Index] = LogProbs(logits, b, candidates);
        }
        return result;
    }

    /// <summary>Greedy decoding with a KV cache: appends the most likely token until maxTokens are produced,
    /// a stop token is produced (it is included), or prompt + output reach max_seq_len. Returns only the new tokens.</summary>
    public int[] Generate(ReadOnlySpan<int> prompt, int maxTokens, IReadOnlyCollection<int>? stopTokens = null)
    {
        if (prompt.Length == 0) throw new ArgumentException("prompt must not be empty");
        if (prompt.Length > Config.MaxSeqLen) throw new ArgumentException($"prompt of {prompt.Length} tokens exceeds max_seq_len {Config.MaxSeqLen}");
        int capacity = (int)Math.Min(Config.MaxSeqLen, (long)prompt.Length + maxTokens); // long: maxTokens may be int.MaxValue
        var cache = SingleCache(capacity);
        var output = new List<int>();
        var logits = Run(cache, prompt.ToArray(), [prompt.Length], prompt.Length, [prompt.Length - 1]);
        while (output.Count < maxTokens)
        {
            int next = ArgMax(logits);
            output.Add(next);
            if (stopTokens?.Contains(next) == true || prompt.Length + output.Count >= Config.MaxSeqLen) break;
            logits = Run(cache, [next], [1], 1, [0]);
        }
        return output.ToArray();
    }

    /// <summary>Greedy decoding of many prompts together (batches of <see cref="MaxBatch"/>), each exactly as
    /// <see cref="Generate"/> would decode it alone; finished sequences ride along without being extended.</summary>
    public int[][] GenerateBatch(IReadOnlyList<int[]> prompts, int maxTokens, IReadOnlyCollection<int>? stopTokens = null)
    {
        var results = new int[prompts.Count][];
        for (int start = 0; start < prompts.Count; start += MaxBatch)
        {
            int count = Math.Min(MaxBatch, prompts.Count - start);
            var group = Enumerable.Range(start, count).Select(i => prompts[i]).ToArray();
            foreach (var (p, i) in group.Select((p, i) => (p, i)))
            {
                if (p.Length == 0) throw new ArgumentException($"prompt {start + i} is empty");
                if (p.Length > Config.MaxSeqLen) throw new ArgumentException($"prompt {start + i} of {p.Length} tokens exceeds max_seq_len {Config.MaxSeqLen}");
            }
            int tn = group.Max(p => p.Length);
            int capacity = (int)Math.Min(Config.MaxSeqLen, (long)tn + maxTokens);
            var cache = new KvCache(Config, count, capacity);
            var tokens = new int[count * tn];
            var lengths = new int[count];
            var rows = new int[count];
            for (int b = 0; b < count; b++)
            {
                group[b].CopyTo(tokens, b * tn);
                lengths[b] = group[b].Length;
                rows[b] = b * tn + lengths[b] - 1;
            }
            var logits = Run(cache, tokens, lengths, tn, rows, start);
            var outputs = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
            var done = new bool[count];
            var next = new int[count];
            var stepLengths = new int[count];
            while (true)
            {
                for (int b = 0; b < count; b++)
                {
                    if (done[b] || maxTokens <= 0) { done[b] = true; stepLengths[b] = 0; continue; }
                    int token = ArgMax(logits.AsSpan(b * Config.VocabSize, Config.VocabSize));
                    outputs[b].Add(token);
                    next[b] = token;
                    done[b] = outputs[b].Count >= maxTokens || stopTokens?.Contains(token) == true
                        || group[b].Length + outputs[b].Count >= Config.MaxSeqLen;
                    stepLengths[b] = done[b] ? 0 : 1;
                }
                if (done.All(x => x)) break;
                logits = Run(cache, next, stepLengths, 1, Enumerable.Range(0, count).ToArray(), start);
            }
            for (int b = 0; b < count; b++) results[start + b] = outputs[b].ToArray();
        }
        return results;
    }

    static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    float[] LogProbs(float[] logits, int row, ReadOnlySpan<int> candidates)
    {
        int v = Config.VocabSize;
        var span = logits.AsSpan(row * v, v);
        float lse = CrossEntropy.LogSumExp(span);
        var result = new float[candidates.Length];
        for (int i = 0; i < candidates.Length; i++)
        {
            if ((uint)candidates[i] >= (uint)v) throw new ArgumentException($"candidate token {candidates[i]} outside vocab of {v}");
            result[i] = span[candidates[i]] - lse;
        }
        return result;
    }

    /// <summary>Runs new tokens [B, tn] (right-padded; lengths per sequence) through the model on top of the
    /// cache, appends their keys and values to it, and returns logits [rows, vocab] for the given rows.</summary>
    float[] Run(KvCache cache, int[] tokens, int[] lengths, int tn, int[] logitRows, int firstSequence = 0)
    {
        var c = Config;
        var m = _model;
        int B = cache.Batch, N = B * tn, d = c.Dim, hid = c.MlpHidden, qkvDim = c.QkvDim, threads = m.Threads;
        for (int b = 0; b < B; b++)
        {
            if (cache.Lengths[b] + lengths[b] > cache.Capacity) throw new ArgumentException($"sequence {b}: KV cache capacity {cache.Capacity} exceeded");
            if (cache.PrefixLength + cache.Lengths[b] + lengths[b] > c.MaxSeqLen)
                throw new ArgumentException($"sequence {b}: {cache.PrefixLength + cache.Lengths[b] + lengths[b]} positions exceed max_seq_len {c.MaxSeqLen}");
        }
        foreach (int t in tokens)
            if ((uint)t >= (uint)c.VocabSize) throw new ArgumentException($"token {t} outside vocab of {c.VocabSize}");
        var positions = new int[N];
        for (int b = 0; b < B; b++)
            for (int i = 0; i < tn; i++) positions[b * tn + i] = i < lengths[b] ? cache.PrefixLength + cache.Lengths[b] + i : 0;
        int scratchLength = CachedAttention.ScratchLength(cache, c.HeadDim);
        if (_scratch.Length < threads || _scratch[0].Length < scratchLength)
            _scratch = Enumerable.Range(0, threads).Select(_ => GC.AllocateArray<float>(scratchLength, pinned: true)).ToArray();
        float* prefixScores = _prefixScores.Ensure(Math.Max(1, CachedAttention.PrefixScoresLength(cache, tn, c.NHeads)));

        float* x = _x.Ensure((long)N * d), norm = _norm.Ensure((long)N * d), rstd = _rows.Ensure(N);
        float* qkv = _qkv.Ensure((long)N * qkvDim), att = _att.Ensure((long)N * c.QDim);
        float* gateUp = _gateUp.Ensure((long)N * 2 * hid), swi = _swi.Ensure((long)N * hid);
        float* u = _u.Ensure((long)N * 3 * (m.Lora?.Rank ?? 1));

        var k = DecoderKernels.For(m);
        var tags = Hooks is null || Hooks.IsEmpty ? null : InferenceTags(cache, lengths, tn, firstSequence);
        k.Embed(tokens, positions, N, x);
        DecoderBlock.RunHooks(Hooks, tags, HookPoint.Embed, x, N, d);
        var attention = new CachedBlockAttention(m, cache, positions, lengths, tn, prefixScores, _scratch);
        // The stream is updated in place: mid and out alias x; the norms share one buffer.
        var buffers = new BlockBuffers
        {
            X = x, Norm1 = norm, Rstd1 = rstd, Qkv = qkv, Att = att, Mid = x, Norm2 = norm, Rstd2 = rstd, GateUp = gateUp, Swi = swi, Out = x,
            LoraQkv = u, LoraOut = u, LoraGateUp = u, LoraDown = u,
        };
        for (int l = 0; l < c.NLayers; l++) DecoderBlock.Forward(k, m, l, N, buffers, attention, Hooks, tags);
        for (int b = 0; b < B; b++) cache.Lengths[b] += lengths[b];

        int M = logitRows.Length;
        for (int i = 0; i < M; i++) new Span<float>(x + (long)logitRows[i] * d, d).CopyTo(new Span<float>(norm + (long)i * d, d));
        k.RmsNorm(norm, m.Layout.FinalNorm, M, norm, rstd);
        var logits = new float[M * c.VocabSize];
        fixed (float* lp = logits)
            k.Linear(norm, m.Layout.Output, M, d, c.VocabSize, 0f, lp, c.VocabSize);
        return logits;
    }

    /// <summary>Hook tags of an inference pass: sequence = firstSequence + batch row (−1 for a shared prefix's
    /// pass), position = absolute position in the sequence, −1 for padding.</summary>
    static RowTags InferenceTags(KvCache cache, int[] lengths, int tn, int firstSequence)
    {
        int B = cache.Batch;
        var sequences = new int[B * tn];
        var positions = new int[B * tn];
        for (int b = 0; b < B; b++)
            for (int i = 0; i < tn; i++)
            {
                sequences[b * tn + i] = firstSequence + b;
                positions[b * tn + i] = i < lengths[b] ? cache.PrefixLength + cache.Lengths[b] + i : -1;
            }
        return new RowTags(sequences, positions);
    }
}
