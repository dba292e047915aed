using SelfInterp.Engine.Kernels;

namespace SelfInterp.Engine;

public sealed unsafe partial class Model
{
    /// <summary>Activations kept from the last training forward, for the backward.</summary>
    sealed class TrainingState
    {
        public readonly PinnedBuffer Resid = new(), Norm1 = new(), Rstd1 = new(), Qkv = new(), Probs = new(), Att = new(),
            ResidMid = new(), Norm2 = new(), Rstd2 = new(), GateUp = new(), Swi = new(), NormF = new(), RstdF = new(),
            Gathered = new(), Logits = new(), LoraU = new(), AttRows = new(),
            DResid = new(), DResidRows = new(), DAttRows = new(), DNorm = new(), DAtt = new(), DQkv = new(), DGateUp = new(), DSwi = new(), DGathered = new(), DU = new();
        public Attention? Attention;
        public int AttentionMaxT;
        public Batch? Batch;
        public int[] Positions = [];
        public int[] TargetRows = [], TargetIds = [];
        public bool LogitsAreGradients;
        /// <summary>The last layer ran past attention on the target rows only (compact, in TargetRows order).</summary>
        public bool Pruned;
    }

    TrainingState? _train;
    HashSet<long> _frozenOffsets = [];
    IReadOnlySet<string>? _frozen;

    /// <summary>Tensors (by name) whose gradients the backward does not compute, leaving them zero: for
    /// fine-tuning that trains only some tensors, which saves their weight-gradient GEMMs. A fused
    /// projection (q|k|v, gate|up) is skipped only when all its parts are frozen.</summary>
    public IReadOnlySet<string>? FrozenTensors
    {
        get => _frozen;
        set
        {
            _frozen = value;
            _frozenOffsets = [];
            if (value is null) return;
            bool All(params string[] names) => names.All(value.Contains);
            if (All("tok_embeddings.weight")) _frozenOffsets.Add(Layout.Embedding);
            if (Config.LearnedPositions && All("pos_embeddings.weight")) _frozenOffsets.Add(Layout.Positions);
            if (All("norm.weight")) _frozenOffsets.Add(Layout.FinalNorm);
            if (!Config.TiedEmbeddings && All("output.weight")) _frozenOffsets.Add(Layout.Output);
            for (int l = 0; l < Config.NLayers; l++)
            {
                string p = $"layers.{l}.";
                var lo = Layout.Layers[l];
                if (All(p + "attention_norm.weight")) _frozenOffsets.Add(lo.AttnNorm);
                if (All(p + "attention.wq.weight", p + "attention.wk.weight", p + "attention.wv.weight")) _frozenOffsets.Add(lo.Wqkv);
                if (All(p + "attention.wo.weight")) _frozenOffsets.Add(lo.Wo);
                if (All(p + "ffn_norm.weight")) _frozenOffsets.Add(lo.MlpNorm);
                if (All(p + "feed_forward.w1.weight", p + "feed_forward.w3.weight")) _frozenOffsets.Add(lo.W13);
                if (All(p + "feed_forward.w2.weight")) _frozenOffsets.Add(lo.W2);
            }
        }
    }

    /// <summary>Runs the batch forward, keeps the activations and returns the mean cross-entropy over the
    /// batch's target positions (0 when it has none). Hooks, if given, read or change the residual stream
    /// (sequence = the batch row, position = the token's index in it).</summary>
    public float Forward(Batch batch, Hooks? hooks = null)
    {
        var c = Config;
        if (batch.SeqLen > c.MaxSeqLen) throw new ArgumentException($"batch sequence length {batch.SeqLen} > max_seq_len {c.MaxSeqLen}");
        var s = _train ??= new TrainingState();
        int B = batch.Size, T = batch.SeqLen, N = B * T, L = c.NLayers, d = c.Dim, hid = c.MlpHidden, qkvDim = c.QkvDim;
        s.Batch = batch;
        if (s.Attention is null || s.AttentionMaxT < T)
        {
            s.AttentionMaxT = T;
            s.Attention = new Attention(c.NHeads, c.NKvHeads, c.HeadDim, T, Threads);
        }
        if (s.Positions.Length != N) s.Positions = new int[N];
        for (int i = 0; i < N; i++) s.Positions[i] = i % T;
        var rows = new List<int>();
        var ids = new List<int>();
        for (int i = 0; i < N; i++)
            if (batch.Targets[i] != Batch.IgnoreIndex)
            {
                int set = Batch.SetOf(batch.Targets[i]);
                if (set < 0 ? (uint)batch.Targets[i] >= (uint)c.VocabSize : batch.TargetSets[set].Any(x => (uint)x >= (uint)c.VocabSize))
                    throw new ArgumentException($"target {batch.Targets[i]} at row {i} outside vocab");
                rows.Add(i);
                ids.Add(batch.Targets[i]);
            }
        foreach (int tok in batch.Tokens)
            if ((uint)tok >= (uint)c.VocabSize) throw new ArgumentException($"token {tok} outside vocab of {c.VocabSize}");
        s.TargetRows = rows.ToArray();
        s.TargetIds = ids.ToArray();
        int M = rows.Count;

        float* resid = s.Resid.Ensure((long)(L + 1) * N * d);
        float* norm1 = s.Norm1.Ensure((long)L * N * d), rstd1 = s.Rstd1.Ensure((long)L * N);
        float* qkv = s.Qkv.Ensure((long)L * N * qkvDim), probs = s.Probs.Ensure((long)L * B * c.NHeads * T * T);
        float* att = s.Att.Ensure((long)L * N * c.QDim), residMid = s.ResidMid.Ensure((long)L * N * d);
        float* norm2 = s.Norm2.Ensure((long)L * N * d), rstd2 = s.Rstd2.Ensure((long)L * N);
        float* gateUp = s.GateUp.Ensure((long)L * N * 2 * hid), swi = s.Swi.Ensure((long)L * N * hid);
        float* normF = s.NormF.Ensure((long)N * d), rstdF = s.RstdF.Ensure(N);
        int loraWidth = Lora is null ? 0 : 7 * Lora.Rank, r = Lora?.Rank ?? 0;
        float* loraU = s.LoraU.Ensure((long)L * N * loraWidth + 1);

        var k = DecoderKernels.For(this);
        var tags = hooks is null || hooks.IsEmpty ? null : TrainingTags(batch);
        // Past its attention, the last layer's rows without a loss feed nothing: only the target rows go on. Each row
        // is computed as it would be among all of them, so the loss and gradients are the same bytes either way.
        // Hooks (which may read any row) and adapters keep every row.
        bool prune = s.Pruned = M > 0 && tags is null && Lora is null;
        k.Embed(batch.Tokens, s.Positions, N, resid);
        DecoderBlock.RunHooks(hooks, tags, HookPoint.Embed, resid, N, d);
        var attention = new TrainingAttention(s.Attention, s.Positions, batch.Lengths, B, T, probs, (long)B * c.NHeads * T * T);
        for (int l = 0; l < L; l++)
        {
            float* u = loraU + (long)l * N * loraWidth;
            var buffers = new BlockBuffers
            {
                X = resid + (long)l * N * d, Norm1 = norm1 + (long)l * N * d, Rstd1 = rstd1 + (long)l * N, Qkv = qkv + (long)l * N * qkvDim,
                Att = att + (long)l * N * c.QDim, Mid = residMid + (long)l * N * d, Norm2 = norm2 + (long)l * N * d, Rstd2 = rstd2 + (long)l * N,
                GateUp = gateUp + (long)l * N * 2 * hid, Swi = swi + (long)l * N * hid, Out = resid + (long)(l + 1) * N * d,
                LoraQkv = u, LoraOut = u + (long)N * 3 * r, LoraGateUp = u + (long)N * 4 * r, LoraDown = u + (long)N * 6 * r,
            };
            if (l < L - 1 || !prune)
            {
                DecoderBlock.Forward(k, this, l, N, buffers, attention, hooks, tags);
                continue;
            }
            DecoderBlock.AttentionHalf(k, this, l, N, buffers, attention, hooks, tags);
            // The target rows of x and att, compact: x into mid (so mid starts as x), att into its own buffer.
            float* attRows = s.AttRows.Ensure((long)M * c.QDim);
            GatherRows(buffers.Att, c.QDim, s.TargetRows, attRows);
            GatherRows(buffers.X, d, s.TargetRows, buffers.Mid);
            DecoderBlock.Rest(k, this, l, M, buffers with { X = buffers.Mid, Att = attRows }, null, null);
        }
        int finalRows = prune ? M : N;
        k.RmsNorm(resid + (long)L * N * d, Layout.FinalNorm, finalRows, normF, rstdF);
        s.LogitsAreGradients = false;
        if (M == 0) return 0f;

        // Logits only at target rows: the organism's loss is on a few answer tokens per sequence.
        float* gathered = s.Gathered.Ensure((long)M * d), logits = s.Logits.Ensure((long)M * c.VocabSize);
        if (prune) new Span<float>(normF, M * d).CopyTo(new Span<float>(gathered, M * d));
        else GatherRows(normF, d, s.TargetRows, gathered);
        k.Linear(gathered, Layout.Output, M, d, c.VocabSize, 0f, logits, c.VocabSize);
        double sum = k.CrossEntropyInPlace(logits, s.TargetIds, M, 1f / M, batch.TargetSets);
        s.LogitsAreGradients = true;
        return (float)(sum / M);
    }

    static void GatherRows(float* source, int width, int[] rows, float* destination)
    {
        for (int i = 0; i < rows.Length; i++)
            new Span<float>(source + (long)rows[i] * width, width).CopyTo(new Span<float>(destination + (long)i * width, width));
    }

    /// <summary>destination = 0 except rows[i] = source row i.</summary>
    static void ScatterRows(float* source, int width, int[] rows, int n, float* destination)
    {
        new Span<float>(destination, n * width).Clear();
        for (int i = 0; i < rows.Length; i++)
            new Span<float>(source + (long)i * width, width).CopyTo(new Span<float>(destination + (long)rows[i] * width, width));
    }

    /// <summary>Hook tags of a training batch: sequence = batch row, position = index in it, −1 past its length.</summary>
    static RowTags TrainingTags(Batch batch)
    {
        int T = batch.SeqLen, N = batch.Size * T;
        var sequences = new int[N];
        var positions = new int[N];
        for (int i = 0; i < N; i++)
        {
            sequences[i] = i / T;
            positions[i] = i % T < batch.Lengths[i / T] ? i % T : -1;
        }
        return new RowTags(sequences, positions);
    }

    /// <summary>Accumulates the gradient of the last <see cref="Forward"/>'s mean loss into the trainable
    /// gradient block (adapters when LoRA is attached, else all parameters).</summary>
    public void Backward()
    {
        var s = _train ?? throw new InvalidOperationException("Backward called before Forward");
        var batch = s.Batch!;
        var c = Config;
        int B = batch.Size, T = batch.SeqLen, N = B * T, L = c.NLayers, d = c.Dim, hid = c.MlpHidden, qkvDim = c.QkvDim;
        int M = s.TargetRows.Length;
        if (M == 0) return;
        if (!s.LogitsAreGradients) throw new InvalidOperationException("Backward called twice for one Forward");
        bool full = Lora is null;
        float* g = full ? G : null;
        var frozen = _frozenOffsets;
        float* G0(long offset) => full && !frozen.Contains(offset) ? g + offset : null;

        float* resid = s.Resid.Ptr, norm1 = s.Norm1.Ptr, rstd1 = s.Rstd1.Ptr, qkv = s.Qkv.Ptr, probs = s.Probs.Ptr, att = s.Att.Ptr;
        float* residMid = s.ResidMid.Ptr, norm2 = s.Norm2.Ptr, rstd2 = s.Rstd2.Ptr, gateUp = s.GateUp.Ptr, swi = s.Swi.Ptr;
        float* normF = s.NormF.Ptr, rstdF = s.RstdF.Ptr, gathered = s.Gathered.Ptr, dlogits = s.Logits.Ptr, loraU = s.LoraU.Ptr;
        float* dResid = s.DResid.Ensure((long)N * d), dNorm = s.DNorm.Ensure((long)N * Math.Max(d, hid));
        float* dAtt = s.DAtt.Ensure((long)N * c.QDim), dQkv = s.DQkv.Ensure((long)N * qkvDim);
        float* dGateUp = s.DGateUp.Ensure((long)N * 2 * hid), dSwi = s.DSwi.Ensure((long)N * hid);
        float* dGathered = s.DGathered.Ensure((long)M * d);
        int loraRank = Lora?.Rank ?? 0, loraWidth = 7 * loraRank;
        float* dU = s.DU.Ensure((long)N * 3 * Math.Max(1, Lora?.Rank ?? 1));

        var k = DecoderKernels.For(this);
        k.LinearBackward(dlogits, c.VocabSize, gathered, Layout.Output, M, d, c.VocabSize, 0f, dGathered, G0(Layout.Output));
        // Pruned, the last layer's rest and the final norm ran on the target rows, compact: their gradient too.
        bool pruned = s.Pruned;
        int finalRows = pruned ? M : N;
        float* dResidRows = pruned ? s.DResidRows.Ensure((long)M * d) : null, dAttRows = pruned ? s.DAttRows.Ensure((long)M * c.QDim) : null;
        if (pruned) new Span<float>(dGathered, M * d).CopyTo(new Span<float>(dNorm, M * d));
        else ScatterRows(dGathered, d, s.TargetRows, N, dNorm);
        float* dTop = pruned ? dResidRows : dResid;
        new Span<float>(dTop, finalRows * d).Clear();
        k.RmsNormBackward(dNorm, resid + (long)L * N * d, Layout.FinalNorm, rstdF, finalRows, dTop, G0(Layout.FinalNorm));

        for (int l = L - 1; l >= 0; l--)
        {
            var lo = Layout.Layers[l];
            float* x = resid + (long)l * N * d, n1 = norm1 + (long)l * N * d, q = qkv + (long)l * N * qkvDim;
            float* a = att + (long)l * N * c.QDim, mid = residMid + (long)l * N * d, n2 = norm2 + (long)l * N * d;
            float* gu = gateUp + (long)l * N * 2 * hid, sw = swi + (long)l * N * hid;
            float* u = loraU + (long)l * N * loraWidth;
            bool compact = pruned && l == L - 1;
            int n = compact ? M : N;
            float* dR = compact ? dResidRows : dResid, dA = compact ? dAttRows : dAtt;
            if (compact) a = s.AttRows.Ptr;

            // MLP: x_{l+1} = mid + W2·swiglu(W13·norm(mid))
            k.LinearBackward(dR, d, sw, lo.W2, n, hid, d, 0f, dSwi, G0(lo.W2));
            k.LoraBackward(l, ProjectionGroup.Down, dR, sw, u + (long)N * 6 * loraRank, n, dU, dSwi);
            k.SwiGluBackward(dSwi, gu, n, dGateUp);
            k.LinearBackward(dGateUp, 2 * hid, n2, lo.W13, n, d, 2 * hid, 0f, dNorm, G0(lo.W13));
            k.LoraBackward(l, ProjectionGroup.GateUp, dGateUp, n2, u + (long)N * 4 * loraRank, n, dU, dNorm);
            k.RmsNormBackward(dNorm, mid, lo.MlpNorm, rstd2 + (long)l * N, n, dR, G0(lo.MlpNorm));

            // Attention: mid = x + Wo·attn(rope(Wqkv·norm(x)))
            k.LinearBackward(dR, d, a, lo.Wo, n, c.QDim, d, 0f, dA, G0(lo.Wo));
            k.LoraBackward(l, ProjectionGroup.Output, dR, a, u + (long)N * 3 * loraRank, n, dU, dA);
            if (compact)
            {
                // Back to every row: the rows without a loss get zero gradient, as they would have unpruned.
                ScatterRows(dAttRows, c.QDim, s.TargetRows, N, dAtt);
                ScatterRows(dResidRows, d, s.TargetRows, N, dResid);
            }
            k.AttendBackward(s.Attention!, dAtt, q, probs + (long)l * B * c.NHeads * T * T, batch.Lengths, B, T, dQkv);
            k.Rope(dQkv, qkvDim, s.Positions, N, inverse: true);
            k.LinearBackward(dQkv, qkvDim, n1, lo.Wqkv, N, d, qkvDim, 0f, dNorm, G0(lo.Wqkv));
            k.LoraBackward(l, ProjectionGroup.Qkv, dQkv, n1, u, N, dU, dNorm);
            k.RmsNormBackward(dNorm, x, lo.AttnNorm, rstd1 + (long)l * N, N, dResid, G0(lo.AttnNorm));
        }
        if (full) k.EmbedBackward(dResid, batch.Tokens, s.Positions, N, !frozen.Contains(Layout.Embedding), !frozen.Contains(Layout.Positions));
        s.LogitsAreGradients = false;
    }
}
