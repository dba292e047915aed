using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Block;

/// <summary>How a block's attention sees keys: over the batch itself (training, keeping probabilities for the
/// backward) or against a KV cache (inference). Rotates q and k in qkv, writes output [n, QDim].</summary>
internal unsafe interface IBlockAttention
{
    void Forward(DecoderKernels kernels, int layer, float* qkv, float* output);
}

/// <summary>Where one block's forward reads and writes, for n rows. Training gives every activation its own
/// buffer (kept for the backward); inference may alias them (Mid = Out = X updates the stream in place).
/// Lora* are the adapters' low-rank activations per projection group (unused without adapters).</summary>
internal unsafe struct BlockBuffers
{
    public float* X, Norm1, Rstd1, Qkv, Att, Mid, Norm2, Rstd2, GateUp, Swi, Out;
    public float* LoraQkv, LoraOut, LoraGateUp, LoraDown;
}

/// <summary>Scratch of one block's backward, shared by every layer: the gradients with respect to the block's inner
/// activations (attention output, q|k|v, gate|up, the SwiGLU output, a norm's output, the adapters' low-rank part).</summary>
internal unsafe struct BlockGradients
{
    public float* DAtt, DQkv, DGateUp, DSwi, DNorm, DU;
}

/// <summary>Where a parameter tensor's gradient goes (by its offset in the parameter block), or null when it is not
/// computed (a frozen tensor, or a model training only its adapters).</summary>
internal unsafe delegate float* GradientOf(long offset);

/// <summary>Sequence and position of every row of a pass, for hooks (built only when hooks are set).</summary>
internal sealed class RowTags(int[] sequences, int[] positions)
{
    public int[] Sequences { get; } = sequences;
    public int[] Positions { get; } = positions;
}

/// <summary>The one decoder block of the engine, for training and inference alike:
/// mid = x + Wo·attn(rope(Wqkv·norm(x))); out = mid + W2·swiglu(W13·norm(mid)), with hook points on the
/// residual stream before (resid_pre), between (resid_mid) and after (resid_post).</summary>
internal static unsafe class DecoderBlock
{
    public static void Forward(DecoderKernels k, Model m, int layer, int n, in BlockBuffers b, IBlockAttention attention, Hooks? hooks, RowTags? tags)
    {
        AttentionHalf(k, m, layer, n, b, attention, hooks, tags);
        Rest(k, m, layer, n, b, hooks, tags);
    }

    /// <summary>resid_pre hook, norm, q|k|v projection and attention: b.Att for all n rows.</summary>
    public static void AttentionHalf(DecoderKernels k, Model m, int layer, int n, in BlockBuffers b, IBlockAttention attention, Hooks? hooks, RowTags? tags)
    {
        var c = m.Config;
        var lo = m.Layout.Layers[layer];
        RunHooks(hooks, tags, HookPoint.ResidPre(layer), b.X, n, c.Dim);
        k.RmsNorm(b.X, lo.AttnNorm, n, b.Norm1, b.Rstd1);
        k.Linear(b.Norm1, lo.Wqkv, n, c.Dim, c.QkvDim, 0f, b.Qkv, c.QkvDim);
        if (lo.Bqkv >= 0) k.AddBias(b.Qkv, lo.Bqkv, n, c.QkvDim);
        k.LoraAdd(layer, ProjectionGroup.Qkv, b.Norm1, n, b.LoraQkv, b.Qkv);
        k.Attend(attention, layer, b.Qkv, b.Att);
    }

    /// <summary>The rest, row by row: mid = x + Wo·att, then the MLP into out. Each row depends only on its own x and
    /// att rows, so it may run on a subset of the rows (training's last layer, on the rows that have a loss).</summary>
    public static void Rest(DecoderKernels k, Model m, int layer, int n, in BlockBuffers b, Hooks? hooks, RowTags? tags)
    {
        var c = m.Config;
        var lo = m.Layout.Layers[layer];
        int d = c.Dim, hid = c.MlpHidden;
        var attnOut = HookedBranch(k, layer, ProjectionGroup.Output, b.Att, lo.Wo, c.QDim, n, d, b.LoraOut, hooks, tags, HookPoint.AttnOut(layer), b.X);
        if (b.Mid != b.X) k.Copy(b.X, b.Mid, (long)n * d);
        k.Linear(b.Att, lo.Wo, n, c.QDim, d, 1f, b.Mid, d);
        k.LoraAdd(layer, ProjectionGroup.Output, b.Att, n, b.LoraOut, b.Mid);
        attnOut?.WriteInto(b.Mid, d);
        RunHooks(hooks, tags, HookPoint.ResidMid(layer), b.Mid, n, d);

        k.RmsNorm(b.Mid, lo.MlpNorm, n, b.Norm2, b.Rstd2);
        k.Linear(b.Norm2, lo.W13, n, d, 2 * hid, 0f, b.GateUp, 2 * hid);
        k.LoraAdd(layer, ProjectionGroup.GateUp, b.Norm2, n, b.LoraGateUp, b.GateUp);
        k.SwiGlu(b.GateUp, n, b.Swi);
        var mlpOut = HookedBranch(k, layer, ProjectionGroup.Down, b.Swi, lo.W2, hid, n, d, b.LoraDown, hooks, tags, HookPoint.MlpOut(layer), b.Mid);
        if (b.Out != b.Mid) k.Copy(b.Mid, b.Out, (long)n * d);
        k.Linear(b.Swi, lo.W2, n, hid, d, 1f, b.Out, d);
        k.LoraAdd(layer, ProjectionGroup.Down, b.Swi, n, b.LoraDown, b.Out);
        mlpOut?.WriteInto(b.Out, d);
        RunHooks(hooks, tags, HookPoint.ResidPost(layer), b.Out, n, d);
    }

    /// <summary>A branch's output (attn_out = Wo·att, mlp_out = W2·swiglu) computed on its own, for hooks on it.
    /// Null when the hooks changed no row: the stream then gets the branch fused into the residual as without hooks,
    /// so recording never changes a bit. Otherwise the rows they changed, each with the residual it joins.</summary>
    static ChangedBranch? HookedBranch(DecoderKernels k, int layer, ProjectionGroup group, float* input, long weight, int inDim, int n, int d,
        float* loraU, Hooks? hooks, RowTags? tags, HookPoint point, float* residual)
    {
        if (hooks is null || !hooks.Has(point)) return null;
        var branch = GC.AllocateUninitializedArray<float>(n * d, pinned: true);
        fixed (float* y = branch)
        {
            k.Linear(input, weight, n, inDim, d, 0f, y, d);
            k.LoraAdd(layer, group, input, n, loraU, y);
            var before = branch.AsSpan().ToArray();
            RunHooks(hooks, tags, point, y, n, d);
            var rows = Enumerable.Range(0, n).Where(r => !branch.AsSpan(r * d, d).SequenceEqual(before.AsSpan(r * d, d))).ToArray();
            if (rows.Length == 0) return null;
            var result = new ChangedBranch(rows, new float[rows.Length * d]);
            for (int i = 0; i < rows.Length; i++)
            {
                var row = result.Values.AsSpan(i * d, d);
                new ReadOnlySpan<float>(residual + (long)rows[i] * d, d).CopyTo(row);
                System.Numerics.Tensors.TensorPrimitives.Add(row, branch.AsSpan(rows[i] * d, d), row);
            }
            return result;
        }
    }

    /// <summary>Rows whose branch a hook changed, with their new stream values (residual + changed branch).</summary>
    sealed record ChangedBranch(int[] Rows, float[] Values)
    {
        public void WriteInto(float* stream, int d)
        {
            for (int i = 0; i < Rows.Length; i++) Values.AsSpan(i * d, d).CopyTo(new Span<float>(stream + (long)Rows[i] * d, d));
        }
    }

    /// <summary>The backward of <see cref="Rest"/> on its n rows: from dOut (∂L/∂out), which becomes ∂L/∂x (the
    /// residual path plus both branches'), through the MLP and the output projection into g.DAtt.</summary>
    public static void RestBackward(DecoderKernels k, Model m, int layer, int n, in BlockBuffers b, float* dOut, in BlockGradients g, GradientOf grad)
    {
        var c = m.Config;
        var lo = m.Layout.Layers[layer];
        int d = c.Dim, hid = c.MlpHidden;
        // MLP: out = mid + W2·swiglu(W13·norm(mid))
        k.LinearBackward(dOut, d, b.Swi, lo.W2, n, hid, d, 0f, g.DSwi, grad(lo.W2));
        k.LoraBackward(layer, ProjectionGroup.Down, dOut, b.Swi, b.LoraDown, n, g.DU, g.DSwi);
        k.SwiGluBackward(g.DSwi, b.GateUp, n, g.DGateUp);
        k.LinearBackward(g.DGateUp, 2 * hid, b.Norm2, lo.W13, n, d, 2 * hid, 0f, g.DNorm, grad(lo.W13));
        k.LoraBackward(layer, ProjectionGroup.GateUp, g.DGateUp, b.Norm2, b.LoraGateUp, n, g.DU, g.DNorm);
        k.RmsNormBackward(g.DNorm, b.Mid, lo.MlpNorm, b.Rstd2, n, dOut, grad(lo.MlpNorm));
        // mid = x + Wo·att
        k.LinearBackward(dOut, d, b.Att, lo.Wo, n, c.QDim, d, 0f, g.DAtt, grad(lo.Wo));
        k.LoraBackward(layer, ProjectionGroup.Output, dOut, b.Att, b.LoraOut, n, g.DU, g.DAtt);
    }

    /// <summary>The backward of <see cref="AttentionHalf"/> in training: from g.DAtt through attention (its probabilities
    /// kept by the forward), the rotary positions and the q|k|v projection; adds ∂L/∂x into dX.</summary>
    public static void AttentionHalfBackward(DecoderKernels k, Model m, int layer, int n, in BlockBuffers b, TrainingAttention attention,
        float* dX, in BlockGradients g, GradientOf grad)
    {
        var c = m.Config;
        var lo = m.Layout.Layers[layer];
        attention.Backward(k, layer, g.DAtt, b.Qkv, g.DQkv);
        if (lo.Bqkv >= 0 && grad(lo.Bqkv) is var dBias && dBias != null) k.BiasBackward(g.DQkv, n, c.QkvDim, dBias);
        k.LinearBackward(g.DQkv, c.QkvDim, b.Norm1, lo.Wqkv, n, c.Dim, c.QkvDim, 0f, g.DNorm, grad(lo.Wqkv));
        k.LoraBackward(layer, ProjectionGroup.Qkv, g.DQkv, b.Norm1, b.LoraQkv, n, g.DU, g.DNorm);
        k.RmsNormBackward(g.DNorm, b.X, lo.AttnNorm, b.Rstd1, n, dX, grad(lo.AttnNorm));
    }

    public static void RunHooks(Hooks? hooks, RowTags? tags, HookPoint point, float* x, int n, int d)
    {
        if (hooks is null || !hooks.Has(point)) return;
        hooks.Run(point, new ResidualRows(new Span<float>(x, n * d), d, tags!.Sequences, tags.Positions));
    }
}
