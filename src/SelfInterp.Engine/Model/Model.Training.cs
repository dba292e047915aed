using SelfInterp.Engine.Kernels;

namespace SelfInterp.Engine;

public sealed unsafe partial class Model
{
    /// <summary>Activations kept from the last training forward, for the backward.</summary>
    sealed class TrainingState
    {
        public readonly PinnedBuffer Resid = new(), Norm1 = new(), Rstd1 = new(), Qkv = new(), Probs = new(), Att = new(),
            ResidMid = new(), Norm2 = new(), Rstd2 = new(), GateUp = new(), Swi = new(), NormF = new(), RstdF = new(),
            Gathered = new(), Logits = new(), LoraU = new(),
            DResid = new(), DNorm = new(), DAtt = new(), DQkv = new(), DGateUp = new(), DSwi = new(), DGathered = new(), DU = new();
        public Attention? Attention;
        public int AttentionMaxT;
        public Batch? Batch;
        public int[] Positions = [];
        public int[] TargetRows = [], TargetIds = [];
        public bool LogitsAreGradients;
    }

    TrainingState? _train;

    /// <summary>Runs the batch forward, keeps the activations and returns the mean cross-entropy over the
    /// batch's target positions (0 when it has none).</summary>
    public float Forward(Batch batch)
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
        int loraWidth = Lora is null ? 0 : 7 * Lora.Rank;
        float* loraU = s.LoraU.Ensure((long)L * N * loraWidth + 1);

        long lap = KernelProfiler.Start();
        Embedding.Forward(batch.Tokens, Parameters.AsSpan((int)Layout.Embedding, c.VocabSize * d), N, d, new Span<float>(resid, N * d));
        if (c.LearnedPositions)
            Embedding.ForwardAdd(s.Positions, Parameters.AsSpan((int)Layout.Positions, c.MaxSeqLen * d), N, d, new Span<float>(resid, N * d));
        lap = KernelProfiler.Lap("embedding fwd", lap);
        for (int l = 0; l < L; l++)
        {
            var lo = Layout.Layers[l];
            float* x = resid + (long)l * N * d, n1 = norm1 + (long)l * N * d, q = qkv + (long)l * N * qkvDim;
            float* a = att + (long)l * N * c.QDim, mid = residMid + (long)l * N * d, n2 = norm2 + (long)l * N * d;
            float* gu = gateUp + (long)l * N * 2 * hid, sw = swi + (long)l * N * hid, xNext = resid + (long)(l + 1) * N * d;
            float* u = loraU + (long)l * N * loraWidth;

            RmsNorm.Forward(x, P + lo.AttnNorm, N, d, c.NormEps, n1, rstd1 + (long)l * N, Threads);
            lap = KernelProfiler.Lap("rmsnorm fwd", lap);
            Linear.Forward(Gemm, n1, P + lo.Wqkv, N, d, qkvDim, 0f, q, qkvDim);
            lap = KernelProfiler.Lap("gemm fwd", lap);
            Lora?.ForwardAdd(Gemm, l, ProjectionGroup.Qkv, n1, N, u, q);
            lap = KernelProfiler.Lap("lora fwd", lap);
            Rope.Apply(q, qkvDim, s.Positions, N, c.NHeads + c.NKvHeads, inverse: false);
            lap = KernelProfiler.Lap("rope fwd", lap);
            s.Attention.Forward(q, batch.Lengths, B, T, a, probs + (long)l * B * c.NHeads * T * T);
            lap = KernelProfiler.Lap("attention fwd", lap);
            new Span<float>(x, N * d).CopyTo(new Span<float>(mid, N * d));
            lap = KernelProfiler.Lap("copy fwd", lap);
            Linear.Forward(Gemm, a, P + lo.Wo, N, c.QDim, d, 1f, mid, d);
            lap = KernelProfiler.Lap("gemm fwd", lap);
            Lora?.ForwardAdd(Gemm, l, ProjectionGroup.Output, a, N, u + (long)N * 3 * Lora.Rank, mid);
            lap = KernelProfiler.Lap("lora fwd", lap);

            RmsNorm.Forward(mid, P + lo.MlpNorm, N, d, c.NormEps, n2, rstd2 + (long)l * N, Threads);
            lap = KernelProfiler.Lap("rmsnorm fwd", lap);
            Linear.Forward(Gemm, n2, P + lo.W13, N, d, 2 * hid, 0f, gu, 2 * hid);
            lap = KernelProfiler.Lap("gemm fwd", lap);
            Lora?.ForwardAdd(Gemm, l, ProjectionGroup.GateUp, n2, N, u + (long)N * 4 * Lora.Rank, gu);
            lap = KernelProfiler.Lap("lora fwd", lap);
            SwiGlu.Forward(gu, N, hid, sw, Threads);
            lap = KernelProfiler.Lap("swiglu fwd", lap);
            new Span<float>(mid, N * d).CopyTo(new Span<float>(xNext, N * d));
            lap = KernelProfiler.Lap("copy fwd", lap);
            Linear.Forward(Gemm, sw, P + lo.W2, N, hid, d, 1f, xNext, d);
            lap = KernelProfiler.Lap("gemm fwd", lap);
            Lora?.ForwardAdd(Gemm, l, ProjectionGroup.Down, sw, N, u + (long)N * 6 * Lora.Rank, xNext);
            lap = KernelProfiler.Lap("lora fwd", lap);
        }
        RmsNorm.Forward(resid + (long)L * N * d, P + Layout.FinalNorm, N, d, c.NormEps, normF, rstdF, Threads);
        lap = KernelProfiler.Lap("rmsnorm fwd", lap);
        s.LogitsAreGradients = false;
        if (M == 0) return 0f;

        // Logits only at target rows: the organism's loss is on a few answer tokens per sequence.
        float* gathered = s.Gathered.Ensure((long)M * d), logits = s.Logits.Ensure((long)M * c.VocabSize);
        for (int i = 0; i < M; i++) new Span<float>(normF + (long)rows[i] * d, d).CopyTo(new Span<float>(gathered + (long)i * d, d));
        Linear.Forward(Gemm, gathered, P + Layout.Output, M, d, c.VocabSize, 0f, logits, c.VocabSize);
        lap = KernelProfiler.Lap("gemm fwd", lap);
        double sum = CrossEntropy.ForwardBackwardInPlace(logits, s.TargetIds, M, c.VocabSize, 1f / M, Threads, batch.TargetSets);
        KernelProfiler.Lap("cross-entropy fwd", lap);
        s.LogitsAreGradients = true;
        return (float)(sum / M);
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
        float* G0(long offset) => full ? g + offset : null;

        float* resid = s.Resid.Ptr, norm1 = s.Norm1.Ptr, rstd1 = s.Rstd1.Ptr, qkv = s.Qkv.Ptr, probs = s.Probs.Ptr, att = s.Att.Ptr;
        float* residMid = s.ResidMid.Ptr, norm2 = s.Norm2.Ptr, rstd2 = s.Rstd2.Ptr, gateUp = s.GateUp.Ptr, swi = s.Swi.Ptr;
        float* normF = s.NormF.Ptr, rstdF = s.RstdF.Ptr, gathered = s.Gathered.Ptr, dlogits = s.Logits.Ptr, loraU = s.LoraU.Ptr;
        float* dResid = s.DResid.Ensure((long)N * d), dNorm = s.DNorm.Ensure((long)N * Math.Max(d, hid));
        float* dAtt = s.DAtt.Ensure((long)N * c.QDim), dQkv = s.DQkv.Ensure((long)N * qkvDim);
        float* dGateUp = s.DGateUp.Ensure((long)N * 2 * hid), dSwi = s.DSwi.Ensure((long)N * hid);
        float* dGathered = s.DGathered.Ensure((long)M * d);
        int loraWidth = Lora is null ? 0 : 7 * Lora.Rank;
        float* dU = s.DU.Ensure((long)N * 3 * Math.Max(1, Lora?.Rank ?? 1));

        long lap = KernelProfiler.Start();
        Linear.Backward(Gemm, dlogits, c.VocabSize, gathered, P + Layout.Output, M, d, c.VocabSize, 0f, dGathered, G0(Layout.Output));
        lap = KernelProfiler.Lap("gemm bwd", lap);
        new Span<float>(dNorm, N * d).Clear();
        for (int i = 0; i < M; i++)
            new Span<float>(dGathered + (long)i * d, d).CopyTo(new Span<float>(dNorm + (long)s.TargetRows[i] * d, d));
        new Span<float>(dResid, N * d).Clear();
        RmsNorm.Backward(dNorm, resid + (long)L * N * d, P + Layout.FinalNorm, rstdF, N, d, dResid, G0(Layout.FinalNorm), Threads);
        lap = KernelProfiler.Lap("rmsnorm bwd", lap);

        for (int l = L - 1; l >= 0; l--)
        {
            var lo = Layout.Layers[l];
            float* x = resid + (long)l * N * d, n1 = norm1 + (long)l * N * d, q = qkv + (long)l * N * qkvDim;
            float* a = att + (long)l * N * c.QDim, mid = residMid + (long)l * N * d, n2 = norm2 + (long)l * N * d;
            float* gu = gateUp + (long)l * N * 2 * hid, sw = swi + (long)l * N * hid;
            float* u = loraU + (long)l * N * loraWidth;

            // MLP: x_{l+1} = mid + W2·swiglu(W13·norm(mid))
            Linear.Backward(Gemm, dResid, d, sw, P + lo.W2, N, hid, d, 0f, dSwi, G0(lo.W2));
            lap = KernelProfiler.Lap("gemm bwd", lap);
            Lora?.Backward(Gemm, l, ProjectionGroup.Down, dResid, sw, u + (long)N * 6 * Lora.Rank, N, dU, dSwi);
            lap = KernelProfiler.Lap("lora bwd", lap);
            SwiGlu.Backward(dSwi, gu, N, hid, dGateUp, Threads);
            lap = KernelProfiler.Lap("swiglu bwd", lap);
            Linear.Backward(Gemm, dGateUp, 2 * hid, n2, P + lo.W13, N, d, 2 * hid, 0f, dNorm, G0(lo.W13));
            lap = KernelProfiler.Lap("gemm bwd", lap);
            Lora?.Backward(Gemm, l, ProjectionGroup.GateUp, dGateUp, n2, u + (long)N * 4 * Lora.Rank, N, dU, dNorm);
            lap = KernelProfiler.Lap("lora bwd", lap);
            RmsNorm.Backward(dNorm, mid, P + lo.MlpNorm, rstd2 + (long)l * N, N, d, dResid, G0(lo.MlpNorm), Threads);
            lap = KernelProfiler.Lap("rmsnorm bwd", lap);

            // Attention: mid = x + Wo·attn(rope(Wqkv·norm(x)))
            Linear.Backward(Gemm, dResid, d, a, P + lo.Wo, N, c.QDim, d, 0f, dAtt, G0(lo.Wo));
            lap = KernelProfiler.Lap("gemm bwd", lap);
            Lora?.Backward(Gemm, l, ProjectionGroup.Output, dResid, a, u + (long)N * 3 * Lora.Rank, N, dU, dAtt);
            lap = KernelProfiler.Lap("lora bwd", lap);
            s.Attention!.Backward(dAtt, q, probs + (long)l * B * c.NHeads * T * T, batch.Lengths, B, T, dQkv);
            lap = KernelProfiler.Lap("attention bwd", lap);
            Rope.Apply(dQkv, qkvDim, s.Positions, N, c.NHeads + c.NKvHeads, inverse: true);
            lap = KernelProfiler.Lap("rope bwd", lap);
            Linear.Backward(Gemm, dQkv, qkvDim, n1, P + lo.Wqkv, N, d, qkvDim, 0f, dNorm, G0(lo.Wqkv));
            lap = KernelProfiler.Lap("gemm bwd", lap);
            Lora?.Backward(Gemm, l, ProjectionGroup.Qkv, dQkv, n1, u, N, dU, dNorm);
            lap = KernelProfiler.Lap("lora bwd", lap);
            RmsNorm.Backward(dNorm, x, P + lo.AttnNorm, rstd1 + (long)l * N, N, d, dResid, G0(lo.AttnNorm), Threads);
            lap = KernelProfiler.Lap("rmsnorm bwd", lap);
        }
        if (full)
        {
            Embedding.Backward(new ReadOnlySpan<float>(dResid, N * d), batch.Tokens, N, d, Gradients.AsSpan((int)Layout.Embedding, c.VocabSize * d));
            if (c.LearnedPositions)
                Embedding.Backward(new ReadOnlySpan<float>(dResid, N * d), s.Positions, N, d, Gradients.AsSpan((int)Layout.Positions, c.MaxSeqLen * d));
        }
        KernelProfiler.Lap("embedding bwd", lap);
        s.LogitsAreGradients = false;
    }
}
