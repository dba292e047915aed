namespace SelfInterp.Numerics;

/// <summary>exp, log, sin, cos and pow in double precision from IEEE additions, multiplications and fused
/// multiply-adds only, so a result is the same bytes on every CPU and runtime.</summary>
/// <remarks>Math.Exp and friends call the C library, which picks a code path per CPU (e.g. an FMA variant) and
/// need not round alike on all of them; a seeded stream or a rotary table built on them could then differ between
/// machines. These are accurate to a few units in the last place, not correctly rounded — what matters here is
/// that they are the same everywhere.</remarks>
public static class DeterministicMath
{
    const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    const double InvLn2 = 1.44269504088896338700e+00;
    // π/2 in three parts (Cody–Waite), each exact when multiplied by a small integer.
    const double PiO2A = 1.57079632673412561417e+00, PiO2B = 6.07710050650619224932e-11, PiO2C = 2.02226624879595063154e-21;

    public static double Exp(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > 709.78) return double.PositiveInfinity;
        if (x < -745.2) return 0;
        double k = Math.Round(x * InvLn2);
        double r = Math.FusedMultiplyAdd(-k, Ln2Lo, Math.FusedMultiplyAdd(-k, Ln2Hi, x));
        // |r| ≤ ln2/2: Taylor series to r^13 (remainder below 1e-17 relative).
        double p = 1.0 / 6227020800;
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 479001600);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 39916800);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 3628800);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 362880);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 40320);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 5040);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 720);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 120);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 24);
        p = Math.FusedMultiplyAdd(p, r, 1.0 / 6);
        p = Math.FusedMultiplyAdd(p, r, 0.5);
        p = Math.FusedMultiplyAdd(p, r, 1.0);
        p = Math.FusedMultiplyAdd(p, r, 1.0);
        return Math.ScaleB(p, (int)k);
    }

    public static double Log(double x)
    {
        if (double.IsNaN(x) || x < 0) return double.NaN;
        if (x == 0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        int e = Math.ILogB(x);
        double m = Math.ScaleB(x, -e); // [1, 2)
        if (m > 1.4142135623730951) { m *= 0.5; e++; }
        // log m = 2·atanh(f), f = (m−1)/(m+1), |f| ≤ 0.1716: the odd series to f^21.
        double f = (m - 1) / (m + 1), s = f * f;
        double q = 1.0 / 21;
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 19);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 17);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 15);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 13);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 11);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 9);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 7);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 5);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 3);
        double logM = 2 * f + 2 * f * s * q;
        return Math.FusedMultiplyAdd(e, Ln2Hi, Math.FusedMultiplyAdd(e, Ln2Lo, logM));
    }

    public static double Pow(double x, double y) => x > 0 ? Exp(y * Log(x)) : Math.Pow(x, y);

    public static double Sin(double x)
    {
        var (r, quadrant) = Reduce(x);
        return (quadrant & 3) switch { 0 => SinKernel(r), 1 => CosKernel(r), 2 => -SinKernel(r), _ => -CosKernel(r) };
    }

    public static double Cos(double x)
    {
        var (r, quadrant) = Reduce(x);
        return (quadrant & 3) switch { 0 => CosKernel(r), 1 => -SinKernel(r), 2 => -CosKernel(r), _ => SinKernel(r) };
    }

    /// <summary>x = r + quadrant·π/2 with |r| ≤ π/4; exact enough for |x| up to about 1e5 (angles here stay far below).</summary>
    static (double R, long Quadrant) Reduce(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) return (double.NaN, 0);
        if (Math.Abs(x) > 1e5) throw new ArgumentOutOfRangeException(nameof(x), x, "DeterministicMath reduces angles up to 1e5 only");
        double k = Math.Round(x * (2 / Math.PI));
        double r = Math.FusedMultiplyAdd(-k, PiO2A, x);
        r = Math.FusedMultiplyAdd(-k, PiO2B, r);
        r = Math.FusedMultiplyAdd(-k, PiO2C, r);
        return (r, (long)k);
    }

    // Taylor series on |r| ≤ π/4: to r^19 for sin and r^20 for cos (remainders below 1e-18).
    static double SinKernel(double r)
    {
        double s = r * r;
        double p = -1.0 / 121645100408832000;
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 355687428096000);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 1307674368000);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 6227020800);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 39916800);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 362880);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 5040);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 120);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 6);
        return Math.FusedMultiplyAdd(r * s, p, r);
    }

    static double CosKernel(double r)
    {
        double s = r * r;
        double p = 1.0 / 2432902008176640000;
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 6402373705728000);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 20922789888000);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 87178291200);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 479001600);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 3628800);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 40320);
        p = Math.FusedMultiplyAdd(p, s, -1.0 / 720);
        p = Math.FusedMultiplyAdd(p, s, 1.0 / 24);
        p = Math.FusedMultiplyAdd(p, s, -0.5);
        return Math.FusedMultiplyAdd(s, p, 1.0);
    }
}
