namespace SelfInterp.Engine.Training;

/// <summary>AdamW with decoupled weight decay, matching torch.optim.AdamW step for step. Weight decay applies
/// only where <see cref="DecayMask"/> is set (matrices), not to norm gains.</summary>
public sealed class AdamW
{
    readonly float[] _m, _v;
    readonly bool[] _decay;
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public float WeightDecay { get; }
    public int StepCount { get; private set; }

    public AdamW(int length, bool[] decayMask, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
    {
        if (decayMask.Length != length) throw new ArgumentException("decay mask length ≠ parameter count");
        _m = new float[length];
        _v = new float[length];
        _decay = decayMask;
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>Marks every tensor of rank ≥ 2 in the layout for weight decay.</summary>
    public static bool[] MatrixDecayMask(ParameterLayout layout)
    {
        var mask = new bool[layout.TotalLength];
        foreach (var slot in layout.Slots)
            if (slot.Shape.Length >= 2) Array.Fill(mask, true, (int)slot.Offset, (int)slot.Length);
        return mask;
    }

    public void Step(float[] parameters, float[] gradients, float learningRate, int threads)
    {
        StepCount++;
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        float bc1 = 1f - MathF.Pow(b1, StepCount), bc2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, StepCount));
        float stepSize = learningRate / bc1, decay = 1f - learningRate * WeightDecay;
        const int chunk = 1 << 14;
        int chunks = (parameters.Length + chunk - 1) / chunk;
        Kernels.Workers.For(chunks, threads, (ci, _) =>
        {
            int end = Math.Min(parameters.Length, (ci + 1) * chunk);
            for (int i = ci * chunk; i < end; i++)
            {
                float g = gradients[i];
                float m = _m[i] = b1 * _m[i] + (1 - b1) * g;
                float v = _v[i] = b2 * _v[i] + (1 - b2) * g * g;
                float p = _decay[i] ? parameters[i] * decay : parameters[i];
                parameters[i] = p - stepSize * m / (MathF.Sqrt(v) / bc2Sqrt + eps);
            }
        });
    }
}
