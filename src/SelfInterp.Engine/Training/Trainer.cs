using SelfInterp.Engine.Kernels;
using SelfInterp.Engine.Transformer;

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

    /// <summary>The trainer's state beside the parameters (steps taken, the optimiser's moments): with the parameters and
    /// the data streams, all a training needs to go on where it stopped, byte for byte.</summary>
    public void WriteState(BinaryWriter writer)
    {
        writer.Write(StepsTaken);
        _optimizer.WriteState(writer);
    }

    public void ReadState(BinaryReader reader)
    {
        int steps = reader.ReadInt32();
        _optimizer.ReadState(reader);
        StepsTaken = steps;
    }

    public StepResult Step(Batch batch) => Step([batch]);

    /// <summary>One step on the sum of the batches' mean losses: each batch runs forward and backward on its
    /// own (so short and long sequences are not padded to one length) and the gradients add up.</summary>
    /// <param name="afterBackward">Called with each batch's index after its backward, while the gradient
    /// block holds that batch's contribution and those before it (e.g. to stop one batch's gradient reaching
    /// some parameters: put it first and zero them).</param>
    public StepResult Step(IReadOnlyList<Batch> batches, Action<int, float[]>? afterBackward = null)
    {
        if (!ReferenceEquals(_model.Trainable.Parameters, _parameters))
            throw new InvalidOperationException("the model's trainable parameters changed (LoRA attached or merged) after this trainer was made");
        long lap = KernelProfiler.Start();
        Array.Clear(_gradients);
        lap = KernelProfiler.Lap("zero grads", lap);
        float loss = 0;
        int targets = 0, index = 0;
        foreach (var batch in batches)
        {
            loss += _model.Forward(batch);
            lap = KernelProfiler.Lap("forward (total)", lap);
            _model.Backward();
            lap = KernelProfiler.Lap("backward (total)", lap);
            targets += batch.TargetCount;
            afterBackward?.Invoke(index++, _gradients);
        }
        Options.GradientFilter?.Invoke(_gradients);
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
        Options.Constraint?.Invoke(_parameters);
        StepsTaken++;
        return new StepResult(loss, norm, lr, targets);
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
            partial[ci] = FixedMath.SumOfSquares(values.AsSpan(start, len));
        });
        double sum = 0;
        foreach (double p in partial) sum += p;
        return (float)Math.Sqrt(sum);
    }
}
