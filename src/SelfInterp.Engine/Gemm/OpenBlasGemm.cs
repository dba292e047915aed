using System.Runtime.InteropServices;

namespace SelfInterp.Engine.Gemm;

/// <summary>cblas_sgemm from a system OpenBLAS, bound at run time so the engine works without it.</summary>
public sealed unsafe class OpenBlasGemm : IGemm
{
    const int RowMajor = 101, NoTrans = 111, Trans = 112;
    static readonly string[] Candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas"];

    readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    public string Name => "openblas";

    OpenBlasGemm(IntPtr sgemm, IntPtr setThreads, int threads)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        if (setThreads != IntPtr.Zero) ((delegate* unmanaged<int, void>)setThreads)(threads);
    }

    /// <summary>Returns null when no loadable OpenBLAS exporting cblas_sgemm is found.</summary>
    public static OpenBlasGemm? TryCreate(int threads)
    {
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(OpenBlasGemm).Assembly, null, out var lib)) continue;
            if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out var sgemm)) continue;
            NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var setThreads);
            return new OpenBlasGemm(sgemm, setThreads, threads);
        }
        return null;
    }

    public void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB,
        int m, int n, int k, float alpha, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
