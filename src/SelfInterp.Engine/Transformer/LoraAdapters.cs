using System.Runtime.CompilerServices;
using SelfInterp.Engine.Gemm;

namespace SelfInterp.Engine.Transformer;

/// <summary>The four projection groups of a layer that carry LoRA adapters.</summary>
public enum ProjectionGroup { Qkv = 0, Output = 1, GateUp = 2, Down = 3 }

/// <summary>LoRA adapters (rank r, scale alpha/r) on q, k, v, o, gate, up and down of every layer:
/// W' = W + (alpha/r)·B·A with A [r, in] random and B [out, r] zero at the start. Parameters live in their own
/// contiguous block; the A matrices of a fused group (q|k|v, gate|up) are adjacent so one GEMM serves them.</summary>
public sealed unsafe class LoraAdapters
{
    public readonly record struct Group(int InDim, int[] OutDims, int[] ColumnOffsets, int OutStride, long A, long[] B)
    {
        public int Parts => OutDims.Length;
    }

    public int Rank { get; }
    public float Alpha { get; }
    public float Scale => Alpha / Rank;
    public ParameterLayout Layout { get; } = new();
    public Group[,] Groups { get; }
    public float[] Parameters { get; }
    public float[] Gradients { get; }
    internal float* P => (float*)Unsafe.AsPointer(ref Parameters[0]);
    internal float* G => (float*)Unsafe.AsPointer(ref Gradients[0]);

    public LoraAdapters(ModelConfig c, int rank, float alpha, ulong seed)
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), "LoRA rank must be ≥ 1");
        Rank = rank;
        Alpha = alpha;
        Groups = new Group[c.NLayers, 4];
        for (int l = 0; l < c.NLayers; l++)
        {
            string p = $"layers.{l}.";
            Groups[l, 0] = AddGroup(c.Dim, [p + "attention.wq", p + "attention.wk", p + "attention.wv"], [c.QDim, c.KvDim, c.KvDim], c.QkvDim);
            Groups[l, 1] = AddGroup(c.QDim, [p + "attention.wo"], [c.Dim], c.Dim);
            Groups[l, 2] = AddGroup(c.Dim, [p + "feed_forward.w1", p + "feed_forward.w3"], [c.MlpHidden, c.MlpHidden], 2 * c.MlpHidden);
            Groups[l, 3] = AddGroup(c.MlpHidden, [p + "feed_forward.w2"], [c.Dim], c.Dim);
        }
        Parameters = GC.AllocateArray<float>((int)Layout.TotalLength, pinned: true);
        Gradients = GC.AllocateArray<float>((int)Layout.TotalLength, pinned: true);
        var rng = new Rng(seed, "lora-init");
        foreach (var slot in Layout.Slots)
        {
            if (!slot.Name.EndsWith(".lora_A.weight", StringComparison.Ordinal)) continue;
            // Kaiming-uniform bound for fan_in = in, as in the LoRA reference implementation.
            float bound = 1f / MathF.Sqrt(slot.Shape[1]);
            for (long i = 0; i < slot.Length; i++) Parameters[slot.Offset + i] = (float)((2 * rng.NextDouble() - 1) * bound);
        }
    }

    Group AddGroup(int inDim, string[] names, int[] outDims, int outStride)
    {
        long a = -1;
        for (int i = 0; i < names.Length; i++)
        {
            long off = Layout.Add(names[i] + ".lora_A.weight", Rank, inDim);
            if (i == 0) a = off;
        }
        var b = new long[names.Length];
        var cols = new int[names.Length];
        for (int i = 0, col = 0; i < names.Length; col += outDims[i], i++)
        {
            b[i] = Layout.Add(names[i] + ".lora_B.weight", outDims[i], Rank);
            cols[i] = col;
        }
        return new Group(inDim, outDims, cols, outStride, a, b);
    }

    /// <summary>Width of the saved low-rank activations u = x·Aᵀ of a group.</summary>
    public int UWidth(int layer, ProjectionGroup g) => Groups[layer, (int)g].Parts * Rank;

    /// <summary>u = x·Aᵀ; y[:, part] += scale·u_part·B_partᵀ.</summary>
    public void ForwardAdd(IGemm gemm, int layer, ProjectionGroup g, float* x, int n, float* u, float* y)
    {
        var gr = Groups[layer, (int)g];
        int r = Rank, uw = gr.Parts * r;
        gemm.Multiply(x, gr.InDim, false, P + gr.A, gr.InDim, true, n, uw, gr.InDim, 1f, 0f, u, uw);
        for (int p = 0; p < gr.Parts; p++)
            gemm.Multiply(u + p * r, uw, false, P + gr.B[p], r, true, n, gr.OutDims[p], r, Scale, 1f, y + gr.ColumnOffsets[p], gr.OutStride);
    }

    /// <summary>Accumulates dA, dB and dx (+=) from dy; du is scratch of the group's u width.</summary>
    public void Backward(IGemm gemm, int layer, ProjectionGroup g, float* dy, float* x, float* u, int n, float* du, float* dx)
    {
        var gr = Groups[layer, (int)g];
        int r = Rank, uw = gr.Parts * r;
        for (int p = 0; p < gr.Parts; p++)
        {
            float* dyp = dy + gr.ColumnOffsets[p];
            gemm.Multiply(dyp, gr.OutStride, false, P + gr.B[p], r, false, n, r, gr.OutDims[p], Scale, 0f, du + p * r, uw);
            gemm.Multiply(dyp, gr.OutStride, true, u + p * r, uw, false, gr.OutDims[p], r, n, Scale, 1f, G + gr.B[p], r);
        }
        gemm.Multiply(du, uw, true, x, gr.InDim, false, uw, gr.InDim, n, 1f, 1f, G + gr.A, gr.InDim);
        gemm.Multiply(du, uw, false, P + gr.A, gr.InDim, false, n, gr.InDim, uw, 1f, 1f, dx, gr.InDim);
    }

    /// <summary>Adds scale·B·A into the base weights, so inference needs no adapters.</summary>
    public void MergeInto(Model model)
    {
        var c = model.Config;
        for (int l = 0; l < c.NLayers; l++)
        {
            var lo = model.Layout.Layers[l];
            long[] bases = [lo.Wqkv, lo.Wo, lo.W13, lo.W2];
            for (int gi = 0; gi < 4; gi++)
            {
                var gr = Groups[l, gi];
                long w = bases[gi];
                for (int p = 0; p < gr.Parts; p++)
                {
                    // Rows of part p in the fused weight start at its column offset in the output.
                    float* wp = model.P + w + (long)gr.ColumnOffsets[p] * gr.InDim;
                    model.Gemm.Multiply(P + gr.B[p], Rank, false, P + gr.A + (long)p * Rank * gr.InDim, gr.InDim, false,
                        gr.OutDims[p], gr.InDim, Rank, Scale, 1f, wp, gr.InDim);
                }
            }
        }
    }
}
