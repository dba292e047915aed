using SelfInterp.Engine.Gemm;

namespace SelfInterp.Engine.Tests;

/// <summary>The GEMM implementations a test runs against: managed always, OpenBLAS when this machine has it.</summary>
public static class TestGemms
{
    public static IEnumerable<object[]> Names()
    {
        yield return ["managed"];
        if (OpenBlasGemm.TryCreate(1) is not null) yield return ["openblas"];
    }

    public static IGemm Create(string name, int threads) => name switch
    {
        "managed" => new ManagedGemm(threads),
        "openblas" => OpenBlasGemm.TryCreate(threads)!,
        "naive" => new NaiveGemm(),
        _ => throw new ArgumentException(name),
    };
}
