namespace SelfInterp.Engine.Gemm;

/// <summary>Chooses the GEMM: OpenBLAS when loadable, else the managed SIMD kernel.
/// SELFINTERP_GEMM=managed|openblas|naive forces one.</summary>
public static class GemmProvider
{
    public const string EnvironmentVariable = "SELFINTERP_GEMM";

    public static IGemm Create(int threads)
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant();
        switch (forced)
        {
            case null or "":
                return (IGemm?)OpenBlasGemm.TryCreate(threads) ?? new ManagedGemm(threads);
            case "managed": return new ManagedGemm(threads);
            case "naive": return new NaiveGemm();
            case "openblas":
                return OpenBlasGemm.TryCreate(threads)
                    ?? throw new InvalidOperationException($"{EnvironmentVariable}=openblas but no loadable libopenblas exports cblas_sgemm");
            default:
                throw new ArgumentException($"{EnvironmentVariable}='{forced}' is not one of managed, openblas, naive");
        }
    }
}
