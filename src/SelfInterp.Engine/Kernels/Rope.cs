using SelfInterp.Numerics;
using System.Runtime.Intrinsics;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Kernels;

/// <summary>Rotary position embedding in the "rotate half" convention: within each head, element i pairs with
/// i + headDim/2 and is rotated by angle pos·theta^(−2i/headDim) (that frequency rescaled by <see cref="RopeScaling"/>
/// when given).</summary>
public sealed unsafe class Rope
{
    readonly float[] _cos, _sin;
    public int HeadDim { get; }
    public int MaxPositions { get; }

    public Rope(int headDim, int maxPositions, float theta, RopeScaling? scaling = null)
    {
        HeadDim = headDim;
        MaxPositions = maxPositions;
        int half = headDim / 2;
        _cos = new float[maxPositions * half];
        _sin = new float[maxPositions * half];
        var frequencies = new double[half];
        for (int i = 0; i < half; i++)
        {
            frequencies[i] = DeterministicMath.Pow(theta, -2.0 * i / headDim);
            if (scaling is not null) frequencies[i] = scaling.Apply(frequencies[i]);
        }
        for (int p = 0; p < maxPositions; p++)
            for (int i = 0; i < half; i++)
            {
                double angle = p * frequencies[i];
                _cos[p * half + i] = (float)DeterministicMath.Cos(angle);
                _sin[p * half + i] = (float)DeterministicMath.Sin(angle);
            }
    }

    /// <summary>Rotates heads [0, heads) of each row in place (forward), or by the negative angle (backward,
    /// which is the transpose of the rotation).</summary>
    public void Apply(float* rows, int rowStride, ReadOnlySpan<int> positions, int n, int heads, bool inverse)
    {
        int half = HeadDim / 2;
        fixed (float* cosTable = _cos, sinTable = _sin)
            for (int t = 0; t < n; t++)
            {
                int pos = positions[t];
                if ((uint)pos >= (uint)MaxPositions) throw new ArgumentOutOfRangeException(nameof(positions), $"position {pos} ≥ max_seq_len {MaxPositions}");
                float* cs = cosTable + pos * half, sn = sinTable + pos * half;
                for (int h = 0; h < heads; h++)
                {
                    float* v = rows + (long)t * rowStride + h * HeadDim;
                    int i = 0;
                    for (; i + 8 <= half; i += 8)
                    {
                        var a = Vector256.Load(v + i); var b = Vector256.Load(v + i + half);
                        var c = Vector256.Load(cs + i); var s = Vector256.Load(sn + i);
                        if (inverse) s = -s;
                        (a * c - b * s).Store(v + i);
                        (b * c + a * s).Store(v + i + half);
                    }
                    for (; i < half; i++)
                    {
                        float a = v[i], b = v[i + half], c = cs[i], s = inverse ? -sn[i] : sn[i];
                        v[i] = a * c - b * s;
                        v[i + half] = b * c + a * s;
                    }
                }
            }
    }
}
