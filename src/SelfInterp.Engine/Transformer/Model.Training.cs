using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Block;
using SelfInterp.Engine.HookPoints;

namespace SelfInterp.Engine.Transformer;

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
        /// <summary>The last forward's attention over its batch (rows, positions, probabilities), for the backward.</summary>
        public TrainingAttention? BlockAttention;
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
        // Every layer's activations, each in its own slice (LayerBuffers), kept for the backward.
        s.Norm1.Ensure((long)L * N * d); s.Rstd1.Ensure((long)L * N); s.Qkv.Ensure((long)L * N * qkvDim);
        s.Att.Ensure((long)L * N * c.QDim); s.ResidMid.Ensure((long)L * N * d); s.Norm2.Ensure((long)L * N * d); s.Rstd2.Ensure((long)L * N);
        s.GateUp.Ensure((long)L * N * 2 * hid); s.Swi.Ensure((long)L * N * hid); s.LoraU.Ensure((long)L * N * 7 * (Lora?.Rank ?? 0) + 1);
        float* probs = s.Probs.Ensure((long)L * B * c.NHeads * T * T), normF = s.NormF.Ensure((long)N * d), rstdF = s.RstdF.Ensure(N);

        var k = DecoderKernels.For(this);
        var tags = hooks is null || hooks.IsEmpty ? null : TrainingTags(batch);
        // Past its attention, the last layer's rows without a loss feed nothing: only the target rows go on. Each row
        // is computed as it would be among all of them, so the loss and gradients are the same bytes either way.
        // Hooks (which may read any row) and adapters keep every row.
        bool prune = s.Pruned = M > 0 && tags is null && Lora is null;
        k.Embed(batch.Tokens, s.Positions, N, resid);
        DecoderBlock.RunHooks(hooks, tags, HookPoint.Embed, resid, N, d);
        var attention = s.BlockAttention = new TrainingAttention(s.Attention, s.Positions, batch.Lengths, B, T, probs, (long)B * c.NHeads * T * T);
        for (int l = 0; l < L; l++)
        {
            var buffers = LayerBuffers(s, l, N);
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

    /// <summary>Where layer l of a training pass over n rows keeps its activations (each its own slice, for the backward).</summary>
    BlockBuffers LayerBuffers(TrainingState s, int l, int n)
    {
        var c = Config;
        int d = c.Dim, hid = c.MlpHidden, r = Lora?.Rank ?? 0;
        float* u = s.LoraU.Ptr + (long)l * n * 7 * r;
        return new BlockBuffers
        {
            X = s.Resid.Ptr + (long)l * n * d, Norm1 = s.Norm1.Ptr + (long)l * n * d, Rstd1 = s.Rstd1.Ptr + (long)l * n,
            Qkv = s.Qkv.Ptr + (long)l * n * c.QkvDim, Att = s.Att.Ptr + (long)l * n * c.QDim, Mid = s.ResidMid.Ptr + (long)l * n * d,
            Norm2 = s.Norm2.Ptr + (long)l * n * d, Rstd2 = s.Rstd2.Ptr + (long)l * n, GateUp = s.GateUp.Ptr + (long)l * n * 2 * hid,
            Swi = s.Swi.Ptr + (long)l * n * hid, Out = s.Resid.Ptr + (long)(l + 1) * n * d,
            LoraQkv = u, LoraOut = u + (long)n * 3 * r, LoraGateUp = u + (long)n * 4 * r, LoraDown = u + (long)n * 6 * r,
        };
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

        float* resid = s.Resid.Ptr, rstdF = s.RstdF.Ptr, gathered = s.Gathered.Ptr, dlogits = s.Logits.Ptr;
        float* dResid = s.DResid.Ensure((long)N * d), dNorm = s.DNorm.Ensure((long)N * Math.Max(d, hid));
        float* dAtt = s.DAtt.Ensure((long)N * c.QDim), dQkv = s.DQkv.Ensure((long)N * qkvDim);
        float* dGateUp = s.DGateUp.Ensure((long)N * 2 * hid), dSwi = s.DSwi.Ensure((long)N * hid);
        float* dGathered = s.DGathered.Ensure((long)M * d);
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

        var grads = new BlockGradients { DAtt = dAtt, DQkv = dQkv, DGateUp = dGateUp, DSwi = dSwi, DNorm = dNorm, DU = dU };
        GradientOf grad = G0;
        for (int l = L - 1; l >= 0; l--)
        {
            var buffers = LayerBuffers(s, l, N);
            if (pruned && l == L - 1)
            {
                // The last layer's rest ran on the target rows, compact (att in its own buffer), and so does its backward;
                // then back to every row: the rows without a loss get zero gradient, as they would have unpruned.
                DecoderBlock.RestBackward(k, this, l, M, buffers with { Att = s.AttRows.Ptr }, dResidRows, grads with { DAtt = dAttRows }, grad);
                ScatterRows(dAttRows, c.QDim, s.TargetRows, N, dAtt);
                ScatterRows(dResidRows, d, s.TargetRows, N, dResid);
            }
            else DecoderBlock.RestBackward(k, this, l, N, buffers, dResid, grads, grad);
            DecoderBlock.AttentionHalfBackward(k, this, l, N, buffers, s.BlockAttention!, dResid, grads, grad);
        }
        if (full) k.EmbedBackward(dResid, batch.Tokens, s.Positions, N, !frozen.Contains(Layout.Embedding), !frozen.Contains(Layout.Positions));
        s.LogitsAreGradients = false;
    }
}
