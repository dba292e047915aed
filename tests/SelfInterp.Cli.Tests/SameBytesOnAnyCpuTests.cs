using System.Security.Cryptography;
using SelfInterp.Organisms;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// The engine's promise, checked the only way that cannot pass on one CPU alone: the same command in child processes
/// whose runtime is told to use other vector widths (AVX-512 off, Vector&lt;T&gt; at 128 bits), another thread count, and
/// no OpenBLAS, writes the same bytes. A pretraining compares its weights, tokenizer and log (the seconds column
/// aside); a run on the organism compares summary.json (its timing aside) and every CSV it wrote.
/// </summary>
public class SameBytesOnAnyCpuTests
{
    /// <summary>The environments compared: the machine as it is at two threads, then the same machine narrowed.</summary>
    private static readonly (string Name, Dictionary<string, string> Env)[] Machines =
    [
        ("as is, 2 threads", new() { ["DOTNET_PROCESSOR_COUNT"] = "2" }),
        ("AVX-512 off, Vector<T> 128 bit, 1 thread", new()
        {
            // .NET 10's switch (DOTNET_EnableAVX512F no longer turns Vector512 off).
            ["DOTNET_EnableAVX512"] = "0", ["DOTNET_PreferredVectorBitWidth"] = "128", ["DOTNET_PROCESSOR_COUNT"] = "1",
        }),
        ("no OpenBLAS, Vector<T> 256 bit, 2 threads", new()
        {
            [SelfInterp.Engine.Gemm.OpenBlasGemm.LibraryVariable] = "none", ["DOTNET_PreferredVectorBitWidth"] = "256", ["DOTNET_PROCESSOR_COUNT"] = "2",
        }),
    ];

    /// <summary>The tiny recipe, and a small self-prediction one (its questions labelled by a no-gradient forward every step).</summary>
    public static TheoryData<string> Recipes => ["tiny", BuiltInRecipes.SelfPredictionName];

    private static OrganismRecipe Small(string name) => name == "tiny" ? OrganismRecipe.Tiny : BuiltInRecipes.SelfPrediction().WithShape(32, 1, 2, 64) with
    {
        Curriculum = BuiltInRecipes.SelfPrediction().Curriculum with { Steps = 12, BatchDecisions = 8, BatchReports = 8, Warmup = 2, AccuracyGuard = [] },
        Families = BuiltInRecipes.SelfPrediction().Families with { BatchBehaviours = 16 },
        SelfPrediction = BuiltInRecipes.SelfPrediction().SelfPrediction with { Batch = 16, From = 0 },
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_tiny_pretraining_writes_the_same_bytes_on_every_vector_width_thread_count_and_without_openblas(string recipe)
    {
        var root = Directory.CreateTempSubdirectory("same-bytes-pretrain").FullName;
        var recipeDir = Path.Combine(root, "recipe");
        Small(recipe).Save(recipeDir);
        var fingerprints = new List<(string Machine, Dictionary<string, string> Files)>();
        for (int i = 0; i < Machines.Length; i++)
        {
            var (name, env) = Machines[i];
            var dir = Path.Combine(root, $"m{i}");
            int threads = int.Parse(env["DOTNET_PROCESSOR_COUNT"]);
            var (code, stdout, stderr) = SelfInterpProcess.Run(env, "pretrain", "--recipe", Path.Combine(recipeDir, OrganismRecipe.FileName), "--out", dir, "--threads", threads.ToString());
            Assert.True(code == 0, $"{name}: {stderr}{stdout}");
            fingerprints.Add((name, new()
            {
                ["model.safetensors"] = Hash(File.ReadAllBytes(Path.Combine(dir, "model.safetensors"))),
                ["tokenizer.json"] = Hash(File.ReadAllBytes(Path.Combine(dir, "tokenizer.json"))),
                ["config.json"] = Hash(File.ReadAllBytes(Path.Combine(dir, "config.json"))),
                ["native_weights.csv"] = Hash(File.ReadAllBytes(Path.Combine(dir, "native_weights.csv"))),
                ["pretrain_log.csv without seconds"] = LogWithoutSeconds(Path.Combine(dir, "pretrain_log.csv")),
            }));
            var provenance = File.ReadAllText(Path.Combine(dir, "provenance.json"));
            Assert.Contains("\"gemm\": \"managed\"", provenance);
            if (env.ContainsKey("DOTNET_EnableAVX512")) Assert.Contains("vector512 no", provenance); // the switch took effect
        }
        AssertAllEqual(fingerprints);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void A_quick_run_on_an_organism_writes_the_same_summary_and_csvs_on_every_vector_width_thread_count_and_without_openblas()
    {
        var root = Directory.CreateTempSubdirectory("same-bytes-run").FullName;
        var fingerprints = new List<(string Machine, Dictionary<string, string> Files)>();
        for (int i = 0; i < Machines.Length; i++)
        {
            var (name, env) = Machines[i];
            var dir = Path.Combine(root, $"m{i}");
            var (code, stdout, stderr) = SelfInterpProcess.Run(env, "run", "--base-model", TinyOrganism.Directory.Value, "--out", dir, "--seed", "3", "--keep-going");
            Assert.True(code == 0, $"{name}: {stderr}{stdout}");
            var files = Directory.EnumerateFiles(dir, "*.csv", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(dir, f), f => Hash(File.ReadAllBytes(f)));
            Assert.True(files.Count >= 10, $"{name}: only {files.Count} CSV files in {dir}");
            files["analysis/summary.json without elapsed_s"] = Hash(System.Text.Encoding.UTF8.GetBytes(CliTests.WithoutTiming(Path.Combine(dir, "analysis", "summary.json"))));
            fingerprints.Add((name, files));
            Assert.Contains("\"gemm\": \"managed\"", File.ReadAllText(Path.Combine(dir, "run.json")));
        }
        AssertAllEqual(fingerprints);
        Directory.Delete(root, recursive: true);
    }

    private static void AssertAllEqual(List<(string Machine, Dictionary<string, string> Files)> fingerprints)
    {
        var (first, reference) = fingerprints[0];
        foreach (var (machine, files) in fingerprints.Skip(1))
        {
            Assert.Equal(reference.Keys.Order(), files.Keys.Order());
            var differing = reference.Keys.Where(k => reference[k] != files[k]).Order().ToList();
            Assert.True(differing.Count == 0, $"{machine} differs from {first} in: {string.Join(", ", differing)}");
        }
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    private static string LogWithoutSeconds(string path) =>
        Hash(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", File.ReadAllLines(path).Select(l => l[..l.LastIndexOf(',')]))));
}
