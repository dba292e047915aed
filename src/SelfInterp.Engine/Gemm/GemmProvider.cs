namespace SelfInterp.Engine.Gemm;

/// <summary>Chooses the GEMM: the managed kernel, whose results are the same bytes on every CPU, unless
/// SELFINTERP_GEMM=openblas|naive asks for another. OpenBLAS picks its kernels per CPU, so a model trained with it is
/// not reproducible on another machine; runs and checkpoints record which GEMM made them.</summary>
public static class GemmProvider
{
    public const string EnvironmentVariable = "SELFINTERP_GEMM";

    public static IGemm Create(int threads)
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant();
        switch (forced)
        {
            case null or "" or "managed": return new ManagedGemm(threads);
            case "naive": return new NaiveGemm();
            case "openblas":
                return OpenBlasGemm.TryCreate(threads)
                    ?? throw new InvalidOperationException($"{EnvironmentVariable}=openblas but no loadable libopenblas exports cblas_sgemm");
            default:
                throw new ArgumentException($"{EnvironmentVariable}='{forced}' is not one of managed, openblas, naive");
        }
    }
}
