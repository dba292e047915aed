using System.Runtime.CompilerServices;
using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Block;

namespace SelfInterp.Engine.Transformer;

/// <summary>How a model runs: thread count and GEMM (default: OpenBLAS if present, else managed SIMD).</summary>
public sealed record ModelOptions
{
    public int Threads { get; init; } = Environment.ProcessorCount;
    public IGemm? Gemm { get; init; }
}

/// <summary>A Llama-style decoder: parameters in one contiguous block with a named layout, gradients in a
/// block of the same layout, and (optionally) LoRA adapters. Training forward/backward live in
/// Model.Training.cs; inference in <see cref="Inference"/>.</summary>
public sealed unsafe partial class Model
{
    public ModelConfig Config { get; }
    public DecoderLayout Layout { get; }
    public float[] Parameters { get; }
    /// <summary>Gradients of the base parameters; allocated on first use (LoRA-only training never needs them).</summary>
    public float[] Gradients => _gradients ??= GC.AllocateArray<float>(Parameters.Length, pinned: true);
    public LoraAdapters? Lora { get; private set; }
    public IGemm Gemm { get; }
    public int Threads { get; }
    public long ParameterCount => Parameters.Length;

    float[]? _gradients;
    internal readonly Rope Rope;
    /// <summary>The untimed kernels of this model's passes (see <see cref="DecoderKernels.For"/>).</summary>
    internal readonly DecoderKernels PlainKernels;
    internal float* P => (float*)Unsafe.AsPointer(ref Parameters[0]);
    internal float* G => (float*)Unsafe.AsPointer(ref Gradients[0]);

    /// <summary>A model with all parameters zero (to be loaded or initialised).</summary>
    public Model(ModelConfig config, ModelOptions? options = null)
    {
        options ??= new ModelOptions();
        Config = config;
        Layout = new DecoderLayout(config);
        if (Layout.Layout.TotalLength > Array.MaxLength) throw new ArgumentException("model too large for one float block");
        Parameters = GC.AllocateArray<float>((int)Layout.Layout.TotalLength, pinned: true);
        Threads = Math.Max(1, options.Threads);
        Gemm = options.Gemm ?? GemmProvider.Create(Threads);
        Rope = new Rope(config.HeadDim, config.MaxSeqLen, config.RopeTheta, config.RopeScaling);
        PlainKernels = new DecoderKernels(this);
    }

    /// <summary>GPT-2 style initialisation: N(0, 0.02) weights, residual output projections scaled by
    /// 1/sqrt(2·layers), unit norm gains; all draws from the seeded "model-init" stream.</summary>
    public static Model CreateRandom(ModelConfig config, ulong seed, ModelOptions? options = null)
    {
        var model = new Model(config, options);
        var rng = new Rng(seed, "model-init");
        float residualStd = 0.02f / MathF.Sqrt(2 * config.NLayers);
        foreach (var slot in model.Layout.Layout.Slots)
        {
            var span = model.Parameters.AsSpan((int)slot.Offset, (int)slot.Length);
            if (slot.Name.EndsWith(".bias", StringComparison.Ordinal)) continue; // biases start at zero
            if (slot.Shape.Length == 1) { span.Fill(1f); continue; }
            float std = slot.Name.EndsWith("wo.weight") || slot.Name.EndsWith("w2.weight") ? residualStd : 0.02f;
            for (int i = 0; i < span.Length; i++) span[i] = (float)(rng.NextGaussian() * std);
        }
        return model;
    }

    /// <summary>Attaches fresh LoRA adapters; from now on training updates only them.</summary>
    public LoraAdapters AttachLora(int rank, float alpha, ulong seed)
    {
        Lora = new LoraAdapters(Config, rank, alpha, seed);
        return Lora;
    }

    /// <summary>Attaches existing adapters (e.g. loaded from a checkpoint).</summary>
    public void AttachLora(LoraAdapters adapters) => Lora = adapters;

    /// <summary>Folds the adapters into the base weights and detaches them.</summary>
    public void MergeLora()
    {
        if (Lora is null) throw new InvalidOperationException("no LoRA adapters attached");
        Lora.MergeInto(this);
        Lora = null;
    }

    /// <summary>The parameters that training updates: the adapters when attached, else the whole model.</summary>
    public (float[] Parameters, float[] Gradients) Trainable =>
        Lora is null ? (Parameters, Gradients) : (Lora.Parameters, Lora.Gradients);

    public void ZeroGradients()
    {
        var (_, grads) = Trainable;
        Array.Clear(grads);
    }

    /// <summary>A view of one named parameter tensor.</summary>
    public Span<float> Tensor(string name)
    {
        var slot = Layout.Layout[name];
        return Parameters.AsSpan((int)slot.Offset, (int)slot.Length);
    }
}
