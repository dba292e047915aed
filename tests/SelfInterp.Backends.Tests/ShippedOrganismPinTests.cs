using System.Security.Cryptography;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Gemm;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.Tests;

/// <summary>Pins the engine's arithmetic on the shipped organism and on pretraining, byte for byte: a change to the
/// engine that moves a single bit fails here. The engine's default kernels give the same bytes on every CPU (see
/// SameBytesOnAnyCpuTests), so one pin holds everywhere; a failure names the kernel and CPU it ran on and the
/// machine the pins were taken on.</summary>
public class ShippedOrganismPinTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Fact]
    public void Shipped_organism_scores_generates_and_trains_to_the_pinned_bytes()
    {
        var organism = Organism.Load(ShippedOrganisms.DirectoryOf("reporter"), Catalog, new ModelOptions { Threads = 2 });
        var p = organism.Percept;
        var plan = Experiments.Preferences.PreferencesPlan.Create(Experiments.Preferences.PreferencesExperiment.Config("quick"));
        var rng = new SeededStream("pin", 7);
        var trials = Enumerable.Range(0, 6).Select(s => plan.DrawTrial(100 + s, rng)).ToArray();
        var decisions = trials.Select(p.Decision).ToArray();
        var reports = trials.Select(p.Report).ToArray();
        var inference = new Inference(organism.Model);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(ReadOnlySpan<float> xs) => hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(xs));
        void AddInts(ReadOnlySpan<int> xs) => hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(xs));

        Add(inference.Logits(reports[0]));
        foreach (var s in inference.ScoreWithSharedPrefix(decisions[0].AsSpan(0, 1), decisions.Select(d => d[1..]).ToList(), [p.TokenA, p.TokenB])) Add(s);
        foreach (var r in reports) AddInts(inference.Generate(r, 40, [p.Eos]));
        var examples = trials.Select(t => (p.Decision(t), p.DecisionAnswer('A'))).ToList();
        Add([organism.Model.Forward(Batch.FromPromptCompletions(examples))]);
        organism.Model.ZeroGradients();
        organism.Model.Backward();
        Add(organism.Model.Gradients);
        AssertPinned(ShippedHash, organism.Model.Gemm, 2, Convert.ToHexString(hash.GetHashAndReset()));
    }

    [Fact]
    public void Tiny_pretraining_writes_the_pinned_bytes()
    {
        var bytes = File.ReadAllBytes(Path.Combine(tiny.Directory, "model.safetensors"));
        AssertPinned(TinyHash, GemmProvider.Create(1), 1, Convert.ToHexString(SHA256.HashData(bytes)));
    }

    private static void AssertPinned(string expected, IGemm gemm, int threads, string actual) =>
        Assert.True(expected == actual,
            $"pinned {expected}, this run {actual}; this run: {Engine.Provenance.EngineProvenance.Of(gemm, threads)}; the pins: {PinnedOn}");

    /// <summary>Where the pins were taken (any machine gives the same bytes with the default kernels).</summary>
    private const string PinnedOn = "GEMM managed, AMD EPYC with AVX-512, .NET 10, linux-x64, 2026-12-06";
    private const string ShippedHash = "5BD48ABF6CAD7F87177E18A1C8CDB51AE3E872C4631E374861B56F66EAA48A54";
    private const string TinyHash = "875CAD1934F0D84AA186CBB617DD83F3742547ABA5AAA853DC301C8F94659EC1";
}
