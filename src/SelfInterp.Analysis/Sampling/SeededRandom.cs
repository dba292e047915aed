namespace SelfInterp.Analysis.Sampling;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small, fast generator whose output is fixed by its seed on
/// every platform and runtime version (unlike System.Random's unspecified algorithm), so analyses are
/// reproducible byte for byte. Each scenario gets its own stream, so results do not depend on thread order.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>A stream named by a seed, a purpose tag and an index (e.g. a scenario id).</summary>
    public static SeededRandom ForStream(ulong seed, ulong tag, long index)
    {
        ulong x = seed ^ 0x9E3779B97F4A7C15UL * (tag + 1);
        ulong a = SplitMix(ref x);
        x = a ^ (ulong)index * 0xBF58476D1CE4E5B9UL;
        return new SeededRandom(SplitMix(ref x));
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Standard normal by the Marsaglia polar method (pairs, the spare kept).</summary>
    public double NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spareGaussian; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Chi-square with an integer number of degrees of freedom, as a sum of squared normals.</summary>
    public double NextChiSquare(int degreesOfFreedom)
    {
        double sum = 0;
        for (int i = 0; i < degreesOfFreedom; i++) { double z = NextGaussian(); sum += z * z; }
        return sum;
    }
}
