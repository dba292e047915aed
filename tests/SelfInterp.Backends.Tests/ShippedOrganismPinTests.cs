using System.Security.Cryptography;
using SelfInterp.Backends.Local;
using SelfInterp.Core.Catalog;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Random;
using SelfInterp.Engine;
using SelfInterp.Engine.Gemm;

namespace SelfInterp.Backends.Tests;

/// <summary>Pins the engine's arithmetic on the shipped organism and on pretraining, byte for byte, so that a
/// restructuring of the engine (one decoder block for training and inference, hooks) is proven not to move
/// a single bit. Hashes were taken with the managed GEMM at two threads before that restructuring; the shipped
/// organism's was taken again when the reporter was re-pretrained (docs/organism.md, "How the reporter is made").</summary>
public class ShippedOrganismPinTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Fact]
    public void Shipped_organism_scores_generates_and_trains_to_the_pinned_bytes()
    {
        var organism = Organism.Load(ShippedOrganisms.DirectoryOf("reporter"), Catalog, new ModelOptions { Threads = 2, Gemm = new ManagedGemm(2) });
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
        AssertPinned(ShippedHashes, organism.Model.Gemm.Name, Convert.ToHexString(hash.GetHashAndReset()));
    }

    [Fact]
    public void Tiny_pretraining_writes_the_pinned_bytes()
    {
        var bytes = File.ReadAllBytes(Path.Combine(tiny.Directory, "model.safetensors"));
        AssertPinned(TinyHashes, GemmProvider.Create(1).Name, Convert.ToHexString(SHA256.HashData(bytes)));
    }

    /// <summary>Float results depend on the GEMM's blocking and vector width, so a pin holds for one GEMM.</summary>
    private static void AssertPinned(Dictionary<string, string> pins, string gemm, string actual)
    {
        Assert.True(pins.TryGetValue(gemm, out var expected), $"no pinned hash for GEMM {gemm} (this run: {actual}); pin it from a build known to be right");
        Assert.True(expected == actual, $"pinned {expected}, this run {actual}");
    }

    private static readonly Dictionary<string, string> ShippedHashes = new() { ["managed-avx2"] = "9B6FEE07EF2DA6D36CAF1A8B868E053B454EBF4C97EC9B7A8C1653BDE61C444A" };
    private static readonly Dictionary<string, string> TinyHashes = new() { ["openblas"] = "C765CE734ECDE6F14E9ECC73AFED0AD2E018D812361C1DC7B28E787E13B92F1C" };
}
