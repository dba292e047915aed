using SelfInterp.Numerics;

namespace SelfInterp.Engine.Transformer;

/// <summary>A small, version-stable random stream (SplitMix64) derived from a seed and a stream name, so every
/// random draw in the engine is reproducible byte for byte across runtimes.</summary>
public sealed class Rng
{
    ulong _state;
    double? _spare;

    public Rng(ulong seed, string stream)
    {
        ulong h = 14695981039346656037UL; // FNV-1a of the stream name, mixed with the seed
        foreach (char c in stream) { h ^= c; h *= 1099511628211UL; }
        _state = seed ^ h;
        NextUInt64();
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public int NextInt(int maxExclusive) => (int)(NextDouble() * maxExclusive);

    /// <summary>Standard normal by Box–Muller.</summary>
    public double NextGaussian()
    {
        if (_spare is double s) { _spare = null; return s; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * DeterministicMath.Log(u1));
        _spare = r * DeterministicMath.Sin(2 * Math.PI * u2);
        return r * DeterministicMath.Cos(2 * Math.PI * u2);
    }
}
