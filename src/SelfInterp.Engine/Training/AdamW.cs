using System.Runtime.Intrinsics;
using SelfInterp.Engine.Transformer;

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

    /// <summary>The optimiser's state (step count, first and second moments), so a stopped training resumes with the same bytes.</summary>
    public void WriteState(BinaryWriter writer)
    {
        writer.Write(StepCount);
        writer.Write(_m.Length);
        foreach (var x in _m) writer.Write(x);
        foreach (var x in _v) writer.Write(x);
    }

    public void ReadState(BinaryReader reader)
    {
        int steps = reader.ReadInt32(), length = reader.ReadInt32();
        if (length != _m.Length) throw new InvalidDataException($"optimiser state for {length} parameters, this optimiser has {_m.Length}");
        for (int i = 0; i < length; i++) _m[i] = reader.ReadSingle();
        for (int i = 0; i < length; i++) _v[i] = reader.ReadSingle();
        StepCount = steps;
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
        float bc1 = 1f - (float)Numerics.DeterministicMath.Pow(b1, StepCount), bc2Sqrt = MathF.Sqrt(1f - (float)Numerics.DeterministicMath.Pow(b2, StepCount));
        float stepSize = learningRate / bc1, decay = 1f - learningRate * WeightDecay;
        const int chunk = 1 << 14;
        int chunks = (parameters.Length + chunk - 1) / chunk;
        Kernels.Workers.For(chunks, threads, (ci, _) =>
        {
            int start = ci * chunk, end = Math.Min(parameters.Length, (ci + 1) * chunk);
            int i = start + Vectorized(parameters.AsSpan(start, end - start), gradients.AsSpan(start, end - start),
                _m.AsSpan(start, end - start), _v.AsSpan(start, end - start), _decay.AsSpan(start, end - start), b1, b2, eps, bc2Sqrt, stepSize, decay);
            for (; i < end; i++)
            {
                float g = gradients[i];
                float m = _m[i] = b1 * _m[i] + (1 - b1) * g;
                float v = _v[i] = b2 * _v[i] + (1 - b2) * g * g;
                float p = _decay[i] ? parameters[i] * decay : parameters[i];
                parameters[i] = p - stepSize * m / (MathF.Sqrt(v) / bc2Sqrt + eps);
            }
        });
    }

    /// <summary>The same update, eight lanes at a time; returns how many elements it handled.</summary>
    static unsafe int Vectorized(Span<float> p, Span<float> g, Span<float> m, Span<float> v, Span<bool> decayMask,
        float b1, float b2, float eps, float bc2Sqrt, float stepSize, float decay)
    {
        int n = p.Length - p.Length % 8;
        var vb1 = Vector256.Create(b1); var vb1c = Vector256.Create(1 - b1);
        var vb2 = Vector256.Create(b2); var vb2c = Vector256.Create(1 - b2);
        var vEps = Vector256.Create(eps); var vInvBc2 = Vector256.Create(1f / bc2Sqrt);
        var vStep = Vector256.Create(stepSize); var vDecay = Vector256.Create(decay); var one = Vector256<float>.One;
        fixed (float* pp = p, pg = g, pm = m, pv = v)
        fixed (bool* pd = decayMask)
            for (int i = 0; i < n; i += 8)
            {
                var gi = Vector256.Load(pg + i);
                var mi = vb1 * Vector256.Load(pm + i) + vb1c * gi;
                var vi = vb2 * Vector256.Load(pv + i) + vb2c * gi * gi;
                mi.Store(pm + i);
                vi.Store(pv + i);
                // Decay mask bytes → per-lane factor: decay where set, 1 where not.
                var mask = Vector256.Create(pd[i] ? -1 : 0, pd[i + 1] ? -1 : 0, pd[i + 2] ? -1 : 0, pd[i + 3] ? -1 : 0,
                    pd[i + 4] ? -1 : 0, pd[i + 5] ? -1 : 0, pd[i + 6] ? -1 : 0, pd[i + 7] ? -1 : 0).AsSingle();
                var factor = Vector256.ConditionalSelect(mask, vDecay, one);
                var pi = Vector256.Load(pp + i) * factor;
                (pi - vStep * mi / (Vector256.Sqrt(vi) * vInvBc2 + vEps)).Store(pp + i);
            }
        return n;
    }
}
