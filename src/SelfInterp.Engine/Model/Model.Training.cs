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
                if ((uint)batch.Targets[i] >= (uint)c.VocabSize) throw new ArgumentException($"target {batch.Targets[i]} at row {i} outside vocab");
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

        { long t0 = KernelProfiler.Start(); Embedding.Forward(batch.Tokens, Parameters.AsSpan((int)Layout.Embedding, c.VocabSize * d), N, d, new Span<float>(resid, N * d)); KernelProfiler.Stop("embedding fwd", t0); }
        for (int l = 0; l < L; l++)
        {
            var lo = Layout.Layers[l];
            float* x = resid + (long)l * N * d, n1 = norm1 + (long)l * N * d, q = qkv + (long)l * N * qkvDim;
            float* a = att + (long)l * N * c.QDim, mid = residMid + (long)l * N * d, n2 = norm2 + (long)l * N * d;
            float* gu = gateUp + (long)l * N * 2 * hid, sw = swi + (long)l * N * hid, xNext = resid + (long)(l + 1) * N * d;
            float* u = loraU + (long)l * N * loraWidth;

            { long t0 = KernelProfiler.Start(); RmsNorm.Forward(x, P + lo.AttnNorm, N, d, c.NormEps, n1, rstd1 + (long)l * N, Threads); KernelProfiler.Stop("rmsnorm fwd", t0); }
            { long t0 = KernelProfiler.Start(); Linear.Forward(Gemm, n1, P + lo.Wqkv, N, d, qkvDim, 0f, q, qkvDim); KernelProfiler.Stop("gemm fwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.ForwardAdd(Gemm, l, ProjectionGroup.Qkv, n1, N, u, q); KernelProfiler.Stop("lora fwd", t0); }
            { long t0 = KernelProfiler.Start(); Rope.Apply(q, qkvDim, s.Positions, N, c.NHeads + c.NKvHeads, inverse: false); KernelProfiler.Stop("rope fwd", t0); }
            { long t0 = KernelProfiler.Start(); s.Attention.Forward(q, batch.Lengths, B, T, a, probs + (long)l * B * c.NHeads * T * T); KernelProfiler.Stop("attention fwd", t0); }
            { long t0 = KernelProfiler.Start(); new Span<float>(x, N * d).CopyTo(new Span<float>(mid, N * d)); KernelProfiler.Stop("copy fwd", t0); }
            { long t0 = KernelProfiler.Start(); Linear.Forward(Gemm, a, P + lo.Wo, N, c.QDim, d, 1f, mid, d); KernelProfiler.Stop("gemm fwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.ForwardAdd(Gemm, l, ProjectionGroup.Output, a, N, u + (long)N * 3 * Lora.Rank, mid); KernelProfiler.Stop("lora fwd", t0); }

            { long t0 = KernelProfiler.Start(); RmsNorm.Forward(mid, P + lo.MlpNorm, N, d, c.NormEps, n2, rstd2 + (long)l * N, Threads); KernelProfiler.Stop("rmsnorm fwd", t0); }
            { long t0 = KernelProfiler.Start(); Linear.Forward(Gemm, n2, P + lo.W13, N, d, 2 * hid, 0f, gu, 2 * hid); KernelProfiler.Stop("gemm fwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.ForwardAdd(Gemm, l, ProjectionGroup.GateUp, n2, N, u + (long)N * 4 * Lora.Rank, gu); KernelProfiler.Stop("lora fwd", t0); }
            { long t0 = KernelProfiler.Start(); SwiGlu.Forward(gu, N, hid, sw, Threads); KernelProfiler.Stop("swiglu fwd", t0); }
            { long t0 = KernelProfiler.Start(); new Span<float>(mid, N * d).CopyTo(new Span<float>(xNext, N * d)); KernelProfiler.Stop("copy fwd", t0); }
            { long t0 = KernelProfiler.Start(); Linear.Forward(Gemm, sw, P + lo.W2, N, hid, d, 1f, xNext, d); KernelProfiler.Stop("gemm fwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.ForwardAdd(Gemm, l, ProjectionGroup.Down, sw, N, u + (long)N * 6 * Lora.Rank, xNext); KernelProfiler.Stop("lora fwd", t0); }
        }
        { long t0 = KernelProfiler.Start(); RmsNorm.Forward(resid + (long)L * N * d, P + Layout.FinalNorm, N, d, c.NormEps, normF, rstdF, Threads); KernelProfiler.Stop("rmsnorm fwd", t0); }
        s.LogitsAreGradients = false;
        if (M == 0) return 0f;

        // Logits only at target rows: the organism's loss is on a few answer tokens per sequence.
        float* gathered = s.Gathered.Ensure((long)M * d), logits = s.Logits.Ensure((long)M * c.VocabSize);
        for (int i = 0; i < M; i++) new Span<float>(normF + (long)rows[i] * d, d).CopyTo(new Span<float>(gathered + (long)i * d, d));
        { long t0 = KernelProfiler.Start(); Linear.Forward(Gemm, gathered, P + Layout.Output, M, d, c.VocabSize, 0f, logits, c.VocabSize); KernelProfiler.Stop("gemm fwd", t0); }
        long tce = KernelProfiler.Start();
        double sum = CrossEntropy.ForwardBackwardInPlace(logits, s.TargetIds, M, c.VocabSize, 1f / M, Threads);
        KernelProfiler.Stop("cross-entropy fwd", tce);
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

        { long t0 = KernelProfiler.Start(); Linear.Backward(Gemm, dlogits, c.VocabSize, gathered, P + Layout.Output, M, d, c.VocabSize, 0f, dGathered, G0(Layout.Output)); KernelProfiler.Stop("gemm bwd", t0); }
        new Span<float>(dNorm, N * d).Clear();
        for (int i = 0; i < M; i++)
            new Span<float>(dGathered + (long)i * d, d).CopyTo(new Span<float>(dNorm + (long)s.TargetRows[i] * d, d));
        new Span<float>(dResid, N * d).Clear();
        { long t0 = KernelProfiler.Start(); RmsNorm.Backward(dNorm, resid + (long)L * N * d, P + Layout.FinalNorm, rstdF, N, d, dResid, G0(Layout.FinalNorm), Threads); KernelProfiler.Stop("rmsnorm bwd", t0); }

        for (int l = L - 1; l >= 0; l--)
        {
            var lo = Layout.Layers[l];
            float* x = resid + (long)l * N * d, n1 = norm1 + (long)l * N * d, q = qkv + (long)l * N * qkvDim;
            float* a = att + (long)l * N * c.QDim, mid = residMid + (long)l * N * d, n2 = norm2 + (long)l * N * d;
            float* gu = gateUp + (long)l * N * 2 * hid, sw = swi + (long)l * N * hid;
            float* u = loraU + (long)l * N * loraWidth;

            // MLP: x_{l+1} = mid + W2·swiglu(W13·norm(mid))
            { long t0 = KernelProfiler.Start(); Linear.Backward(Gemm, dResid, d, sw, P + lo.W2, N, hid, d, 0f, dSwi, G0(lo.W2)); KernelProfiler.Stop("gemm bwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.Backward(Gemm, l, ProjectionGroup.Down, dResid, sw, u + (long)N * 6 * Lora.Rank, N, dU, dSwi); KernelProfiler.Stop("lora bwd", t0); }
            { long t0 = KernelProfiler.Start(); SwiGlu.Backward(dSwi, gu, N, hid, dGateUp, Threads); KernelProfiler.Stop("swiglu bwd", t0); }
            { long t0 = KernelProfiler.Start(); Linear.Backward(Gemm, dGateUp, 2 * hid, n2, P + lo.W13, N, d, 2 * hid, 0f, dNorm, G0(lo.W13)); KernelProfiler.Stop("gemm bwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.Backward(Gemm, l, ProjectionGroup.GateUp, dGateUp, n2, u + (long)N * 4 * Lora.Rank, N, dU, dNorm); KernelProfiler.Stop("lora bwd", t0); }
            { long t0 = KernelProfiler.Start(); RmsNorm.Backward(dNorm, mid, P + lo.MlpNorm, rstd2 + (long)l * N, N, d, dResid, G0(lo.MlpNorm), Threads); KernelProfiler.Stop("rmsnorm bwd", t0); }

            // Attention: mid = x + Wo·attn(rope(Wqkv·norm(x)))
            { long t0 = KernelProfiler.Start(); Linear.Backward(Gemm, dResid, d, a, P + lo.Wo, N, c.QDim, d, 0f, dAtt, G0(lo.Wo)); KernelProfiler.Stop("gemm bwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.Backward(Gemm, l, ProjectionGroup.Output, dResid, a, u + (long)N * 3 * Lora.Rank, N, dU, dAtt); KernelProfiler.Stop("lora bwd", t0); }
            { long t0 = KernelProfiler.Start(); s.Attention!.Backward(dAtt, q, probs + (long)l * B * c.NHeads * T * T, batch.Lengths, B, T, dQkv); KernelProfiler.Stop("attention bwd", t0); }
            { long t0 = KernelProfiler.Start(); Rope.Apply(dQkv, qkvDim, s.Positions, N, c.NHeads + c.NKvHeads, inverse: true); KernelProfiler.Stop("rope bwd", t0); }
            { long t0 = KernelProfiler.Start(); Linear.Backward(Gemm, dQkv, qkvDim, n1, P + lo.Wqkv, N, d, qkvDim, 0f, dNorm, G0(lo.Wqkv)); KernelProfiler.Stop("gemm bwd", t0); }
            { long t0 = KernelProfiler.Start(); Lora?.Backward(Gemm, l, ProjectionGroup.Qkv, dQkv, n1, u, N, dU, dNorm); KernelProfiler.Stop("lora bwd", t0); }
            { long t0 = KernelProfiler.Start(); RmsNorm.Backward(dNorm, x, P + lo.AttnNorm, rstd1 + (long)l * N, N, d, dResid, G0(lo.AttnNorm), Threads); KernelProfiler.Stop("rmsnorm bwd", t0); }
        }
        if (full)
            { long t0 = KernelProfiler.Start(); Embedding.Backward(new ReadOnlySpan<float>(dResid, N * d), batch.Tokens, N, d, Gradients.AsSpan((int)Layout.Embedding, c.VocabSize * d)); KernelProfiler.Stop("embedding bwd", t0); }
        s.LogitsAreGradients = false;
    }
}
