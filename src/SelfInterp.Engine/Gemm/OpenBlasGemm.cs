using System.Runtime.InteropServices;

namespace SelfInterp.Engine.Gemm;

/// <summary>cblas_sgemm from a system OpenBLAS, bound at run time so the engine works without it.</summary>
/// <remarks>OpenBLAS is set to one thread and large products are split into row (or column) bands run on
/// .NET workers: OpenBLAS's own pool spins after each call and would steal the cores from the engine's
/// other kernels, which run between GEMMs on the .NET pool.</remarks>
public sealed unsafe class OpenBlasGemm : IGemm
{
    const int RowMajor = 101, NoTrans = 111, Trans = 112;
    static readonly string[] Candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas"];

    readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    readonly int _threads;

    public string Name => "openblas";

    public bool SameOnEveryCpu => false;

    /// <summary>The library's own description of its build and the kernel it chose for this CPU
    /// (openblas_get_config and openblas_get_corename), for provenance.</summary>
    public string BuildConfig { get; }

    OpenBlasGemm(IntPtr sgemm, IntPtr setThreads, IntPtr getConfig, IntPtr getCore, int threads)
    {
        string? config = getConfig == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)getConfig)());
        string? core = getCore == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)getCore)());
        BuildConfig = $"{config ?? "OpenBLAS (no openblas_get_config)"}{(core is null ? "" : $", core {core}")}";
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        if (setThreads != IntPtr.Zero) ((delegate* unmanaged<int, void>)setThreads)(1);
        _threads = Math.Max(1, threads);
    }

    /// <summary>SELFINTERP_OPENBLAS_LIBRARY: a library path to use instead of the usual names, or "none" to act as if
    /// no OpenBLAS were installed.</summary>
    public const string LibraryVariable = "SELFINTERP_OPENBLAS_LIBRARY";

    /// <summary>Returns null when no loadable OpenBLAS exporting cblas_sgemm is found.</summary>
    public static OpenBlasGemm? TryCreate(int threads)
    {
        string? chosen = Environment.GetEnvironmentVariable(LibraryVariable)?.Trim();
        if (chosen == "none") return null;
        foreach (var name in string.IsNullOrEmpty(chosen) ? Candidates : [chosen])
        {
            if (!NativeLibrary.TryLoad(name, typeof(OpenBlasGemm).Assembly, null, out var lib)) continue;
            if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out var sgemm)) continue;
            NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var setThreads);
            NativeLibrary.TryGetExport(lib, "openblas_get_config", out var getConfig);
            NativeLibrary.TryGetExport(lib, "openblas_get_corename", out var getCore);
            return new OpenBlasGemm(sgemm, setThreads, getConfig, getCore, threads);
        }
        return null;
    }

    public void Multiply(float* a, int lda, bool transA, float* b, int ldb, bool transB,
        int m, int n, int k, float alpha, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        int parts = (long)m * n * k < 1L << 20 ? 1 : _threads;
        if (parts == 1)
        {
            Call(a, lda, transA, b, ldb, transB, m, n, k, alpha, beta, c, ldc);
            return;
        }
        // Split the longer side of C into bands, multiples of 16 so kernels stay full width.
        bool byRows = m >= n;
        int extent = byRows ? m : n;
        int band = (extent / parts + 15) / 16 * 16;
        var pa = (IntPtr)a; var pb = (IntPtr)b; var pc = (IntPtr)c;
        Kernels.Workers.For((extent + band - 1) / band, _threads, (part, _) =>
        {
            int start = part * band, size = Math.Min(band, extent - start);
            float* a0 = (float*)pa, b0 = (float*)pb, c0 = (float*)pc;
            if (byRows) Call(transA ? a0 + start : a0 + (long)start * lda, lda, transA, b0, ldb, transB, size, n, k, alpha, beta, c0 + (long)start * ldc, ldc);
            else Call(a0, lda, transA, transB ? b0 + (long)start * ldb : b0 + start, ldb, transB, m, size, k, alpha, beta, c0 + start, ldc);
        });
    }

    void Call(float* a, int lda, bool transA, float* b, int ldb, bool transB, int m, int n, int k, float alpha, float beta, float* c, int ldc) =>
        _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
