using SelfInterp.Numerics;
namespace SelfInterp.Core.Random;

/// <summary>
/// A named, seeded random stream (xoshiro256** seeded through SplitMix64). Our own generator rather
/// than System.Random so that the same seed gives the same numbers on every machine and runtime.
/// </summary>
public sealed class SeededStream
{
    private ulong _s0, _s1, _s2, _s3;

    public string Name { get; }
    public ulong Seed { get; }

    public SeededStream(string name, ulong seed)
    {
        Name = name;
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>A stream whose seed is derived from a master seed and a stage name.</summary>
    public static SeededStream Derive(ulong masterSeed, string name) => new(name, DeriveSeed(masterSeed, name));

    public static ulong DeriveSeed(ulong masterSeed, string name)
    {
        ulong h = 14695981039346656037UL; // FNV-1a over the name's UTF-16 code units
        foreach (char c in name) { h ^= c; h *= 1099511628211UL; }
        ulong x = masterSeed ^ h;
        return SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Where the stream is, to be put back with <see cref="Restore"/> (a resumed computation draws what it would have).</summary>
    public (ulong, ulong, ulong, ulong) State => (_s0, _s1, _s2, _s3);

    public void Restore((ulong, ulong, ulong, ulong) state) => (_s0, _s1, _s2, _s3) = state;

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, n), without modulo bias.</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n, limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong v;
        do v = NextUInt64(); while (v >= limit);
        return (int)(v % bound);
    }

    /// <summary>Standard normal (Box–Muller; one draw per call, so streams stay easy to reason about).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * DeterministicMath.Log(u1)) * DeterministicMath.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Chi-square with an integer number of degrees of freedom, as a sum of squared normals.</summary>
    public double NextChiSquare(int degreesOfFreedom)
    {
        double sum = 0;
        for (int i = 0; i < degreesOfFreedom; i++) { double z = NextGaussian(); sum += z * z; }
        return sum;
    }

    /// <summary>Standard logistic noise, for choices with logistic noise on the utility difference.</summary>
    public double NextLogistic()
    {
        double u = NextDouble();
        while (u == 0) u = NextDouble();
        return DeterministicMath.Log(u / (1 - u));
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
