using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SelfInterp.Engine.Kernels;

/// <summary>The engine's reductions and transcendental functions over float spans, in one fixed order of
/// operations: eight lanes (Vector256, whatever vector width the CPU has), element i always in lane i mod 8, the
/// lanes combined in a fixed tree, and the tail run through the same vector code on a zero-padded copy.</summary>
/// <remarks>System.Numerics.Tensors picks its vector width per CPU (its Sum over a Vector512 adds in another order
/// than over a Vector256) and its Exp takes a scalar path for the tail, so its results differ between machines.
/// These do not: the same inputs give the same bytes on every CPU and with any thread count.</remarks>
public static unsafe class FixedMath
{
    const int Lanes = 8;

    public static float Sum(ReadOnlySpan<float> x)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        fixed (float* p = x)
        {
            for (; i + Lanes <= x.Length; i += Lanes) acc += Vector256.Load(p + i);
            if (i < x.Length) acc += Tail(p + i, x.Length - i, 0f);
        }
        return Combine(acc);
    }

    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("spans differ in length");
        var acc = Vector256<float>.Zero;
        int i = 0;
        fixed (float* px = x, py = y)
        {
            for (; i + Lanes <= x.Length; i += Lanes) acc = Vector256.FusedMultiplyAdd(Vector256.Load(px + i), Vector256.Load(py + i), acc);
            if (i < x.Length) acc = Vector256.FusedMultiplyAdd(Tail(px + i, x.Length - i, 0f), Tail(py + i, x.Length - i, 0f), acc);
        }
        return Combine(acc);
    }

    public static float SumOfSquares(ReadOnlySpan<float> x) => Dot(x, x);

    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("max of an empty span");
        var acc = Vector256.Create(float.NegativeInfinity);
        int i = 0;
        fixed (float* p = x)
        {
            for (; i + Lanes <= x.Length; i += Lanes) acc = Vector256.Max(acc, Vector256.Load(p + i));
            if (i < x.Length) acc = Vector256.Max(acc, Tail(p + i, x.Length - i, float.NegativeInfinity));
        }
        float m = acc[0];
        for (int l = 1; l < Lanes; l++) m = MathF.Max(m, acc[l]);
        return m;
    }

    /// <summary>y = exp(x), element-wise (y may be x).</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y) => Map(x, y, sigmoid: false);

    /// <summary>y = 1 / (1 + exp(−x)), element-wise (y may be x).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Map(x, y, sigmoid: true);

    /// <summary>exp of one value, through the same vector code as the span version (so both agree bit for bit).</summary>
    public static float Exp(float x) => Exp(Vector256.Create(x))[0];

    /// <summary>Natural log of one value, in double through <see cref="Numerics.DeterministicMath"/>, rounded once.</summary>
    public static float Log(float x) => (float)Numerics.DeterministicMath.Log(x);

    static void Map(ReadOnlySpan<float> x, Span<float> y, bool sigmoid)
    {
        if (y.Length < x.Length) throw new ArgumentException("destination too short");
        int i = 0;
        fixed (float* px = x, py = y)
        {
            for (; i + Lanes <= x.Length; i += Lanes) Apply(Vector256.Load(px + i), sigmoid).Store(py + i);
            if (i < x.Length)
            {
                var r = Apply(Tail(px + i, x.Length - i, 0f), sigmoid);
                for (int j = 0; i + j < x.Length; j++) py[i + j] = r[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Apply(Vector256<float> v, bool sigmoid) =>
        sigmoid ? Vector256<float>.One / (Vector256<float>.One + Exp(-v)) : Exp(v);

    /// <summary>exp by range reduction to r = x − k·ln2, |r| ≤ ln2/2, a degree-7 Taylor polynomial, and 2^k from
    /// the exponent bits. Below −87.3 (where the result would be subnormal) it returns 0; inputs are capped at 88.</summary>
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var nan = ~Vector256.Equals(x, x);
        var underflow = Vector256.LessThan(x, Vector256.Create(-87.3f));
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.3f)), Vector256.Create(88f));
        var k = Vector256.Round(xc * Vector256.Create(1.44269504f));
        var r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(0.693359375f), xc);
        r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(-2.12194440e-4f), r);
        var p = Vector256.Create(1f / 5040);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();
        var result = Vector256.ConditionalSelect(underflow, Vector256<float>.Zero, p * scale);
        return Vector256.ConditionalSelect(nan, x, result);
    }

    /// <summary>The last n &lt; 8 elements in lanes 0..n−1, the rest filled with <paramref name="fill"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Tail(float* p, int n, float fill)
    {
        float* buffer = stackalloc float[Lanes];
        for (int j = 0; j < Lanes; j++) buffer[j] = j < n ? p[j] : fill;
        return Vector256.Load(buffer);
    }

    /// <summary>The lanes' sum in a fixed tree: ((0+4)+(2+6)) + ((1+5)+(3+7)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Combine(Vector256<float> v) => ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}
