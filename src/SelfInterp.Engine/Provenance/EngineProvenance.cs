using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using SelfInterp.Engine.Gemm;

namespace SelfInterp.Engine.Provenance;

/// <summary>What computed a model or a run: the GEMM (and whether its results are the same bytes on every CPU), the
/// thread count, the CPU and its vector widths, OpenBLAS's build when it was used, the runtime and the system.
/// Written beside every checkpoint (provenance.json) and into run.json; `selfinterp --version` prints it.</summary>
public sealed record EngineProvenance(string Gemm, bool Reproducible, int Threads, string Cpu, string VectorWidths,
    string? OpenBlas, string Runtime, string System)
{
    public const string FileName = "provenance.json";

    public static EngineProvenance Of(IGemm gemm, int threads) => new(
        gemm.Name, gemm.SameOnEveryCpu, threads, CpuModel(), VectorWidthsOfThisCpu(),
        (gemm as OpenBlasGemm)?.BuildConfig, RuntimeInformation.FrameworkDescription, RuntimeInformation.RuntimeIdentifier);

    /// <summary>The default GEMM at the given thread count.</summary>
    public static EngineProvenance Default(int threads) => Of(GemmProvider.Create(threads), threads);

    /// <summary>Flat string pairs (snake_case keys), for run.json and tables.</summary>
    public SortedDictionary<string, string> ToDictionary() => new(StringComparer.Ordinal)
    {
        ["gemm"] = Gemm,
        ["reproducible_on_any_cpu"] = Reproducible ? "yes" : "no",
        ["threads"] = Threads.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        ["cpu"] = Cpu,
        ["vector_widths"] = VectorWidths,
        ["openblas"] = OpenBlas ?? "not used",
        ["runtime"] = Runtime,
        ["system"] = System,
    };

    public string ToJson() => JsonSerializer.Serialize(ToDictionary(), JsonOptions) + "\n";

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line for a terminal or an error message.</summary>
    public override string ToString() =>
        $"GEMM {Gemm} ({(Reproducible ? "same bytes on any CPU" : "results depend on the CPU")}), {Threads} thread(s), CPU {Cpu} [{VectorWidths}]" +
        (OpenBlas is null ? "" : $", {OpenBlas}") + $", {Runtime}, {System}";

    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The vector widths this process may use, e.g. "avx512 yes, avx2 yes, Vector&lt;T&gt; 256 bit". The engine's
    /// default kernels give the same bytes whatever they are; they are recorded to show it.</summary>
    public static string VectorWidthsOfThisCpu() =>
        $"vector512 {(Vector512.IsHardwareAccelerated ? "yes" : "no")}, vector256 {(Vector256.IsHardwareAccelerated ? "yes" : "no")}, " +
        $"fma {(global::System.Runtime.Intrinsics.X86.Fma.IsSupported || global::System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "yes" : "no")}, " +
        $"Vector<T> {Vector<byte>.Count * 8} bit";
}
