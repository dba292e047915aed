using SelfInterp.Engine.Kernels;

namespace SelfInterp.Engine.Training;

/// <summary>One optimiser step per batch: forward, backward, global-norm clipping, AdamW with a scheduled rate.
/// Trains the LoRA adapters if the model has them attached when the trainer is made, else all parameters.</summary>
public sealed class Trainer
{
    readonly Model _model;
    readonly AdamW _optimizer;
    readonly float[] _parameters, _gradients;
    public TrainerOptions Options { get; }
    public int StepsTaken { get; private set; }

    public Trainer(Model model, TrainerOptions? options = null)
    {
        _model = model;
        Options = options ?? new TrainerOptions();
        (_parameters, _gradients) = model.Trainable;
        var layout = model.Lora?.Layout ?? model.Layout.Layout;
        _optimizer = new AdamW(_parameters.Length, AdamW.MatrixDecayMask(layout), Options.Beta1, Options.Beta2, Options.Epsilon, Options.WeightDecay);
    }

    public StepResult Step(Batch batch)
    {
        if (!ReferenceEquals(_model.Trainable.Parameters, _parameters))
            throw new InvalidOperationException("the model's trainable parameters changed (LoRA attached or merged) after this trainer was made");
        long lap = KernelProfiler.Start();
        Array.Clear(_gradients);
        lap = KernelProfiler.Lap("zero grads", lap);
        float loss = _model.Forward(batch);
        lap = KernelProfiler.Lap("forward (total)", lap);
        _model.Backward();
        lap = KernelProfiler.Lap("backward (total)", lap);
        float norm = GlobalNorm(_gradients, _model.Threads);
        if (Options.GradClip > 0 && norm > Options.GradClip)
        {
            float scale = Options.GradClip / (norm + 1e-6f);
            System.Numerics.Tensors.TensorPrimitives.Multiply(_gradients, scale, _gradients);
        }
        lap = KernelProfiler.Lap("clip", lap);
        float lr = Options.Schedule.At(StepsTaken);
        _optimizer.Step(_parameters, _gradients, lr, _model.Threads);
        KernelProfiler.Lap("adamw", lap);
        StepsTaken++;
        return new StepResult(loss, norm, lr, batch.TargetCount);
    }

    /// <summary>L2 norm, summed in fixed chunks in double so the result does not depend on thread timing.</summary>
    public static float GlobalNorm(float[] values, int threads)
    {
        const int chunk = 1 << 14;
        int chunks = (values.Length + chunk - 1) / chunk;
        var partial = new double[chunks];
        Workers.For(chunks, threads, (ci, _) =>
        {
            int start = ci * chunk, len = Math.Min(chunk, values.Length - start);
            partial[ci] = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(values.AsSpan(start, len));
        });
        double sum = 0;
        foreach (double p in partial) sum += p;
        return (float)Math.Sqrt(sum);
    }
}
