using System.Text.Json;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>A PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors), merged into a loaded model's
/// weights: W += scale·B·A for every adapted projection, scale = lora_alpha/r (lora_alpha/√r with use_rslora).
/// The product runs through the model's GEMM, so the merged weights are the same bytes on every CPU.</summary>
public static class PeftAdapter
{
    public const string ConfigFile = "adapter_config.json", WeightsFile = "adapter_model.safetensors";
    const string Prefix = "base_model.model.";

    /// <summary>The adapter's settings as read, for the caller to report.</summary>
    public sealed record Settings(int Rank, double Alpha, double Scale, IReadOnlyList<string> TargetModules, int MergedMatrices);

    public static unsafe Settings MergeInto(Model model, string directory)
    {
        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: no adapter_config.json (a PEFT adapter directory has one)", configPath);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(configPath)); }
        catch (JsonException e) { throw new InvalidDataException($"{configPath}: line {e.LineNumber + 1}: {e.Message}", e); }
        int rank; double alpha; bool rs; List<string> targets;
        using (doc)
        {
            var f = new HfConfig.Fields(doc.RootElement, configPath);
            string type = f.String("peft_type", "LORA");
            if (type != "LORA") throw f.Error("peft_type", $"'{type}' is not supported (LORA)");
            rank = f.Int("r");
            if (rank < 1) throw f.Error("r", "must be at least 1");
            alpha = f.Double("lora_alpha", rank);
            rs = f.Bool("use_rslora", false);
            if (f.Bool("use_dora", false)) throw f.Error("use_dora", "DoRA adapters are not supported");
            if (f.Bool("fan_in_fan_out", false)) throw f.Error("fan_in_fan_out", "transposed adapters are not supported");
            if (f.String("bias", "none") != "none") throw f.Error("bias", "adapters that train biases are not supported (none)");
            if (doc.RootElement.TryGetProperty("modules_to_save", out var mts) && mts.ValueKind == JsonValueKind.Array && mts.GetArrayLength() > 0)
                throw f.Error("modules_to_save", "fully trained modules beside the adapter are not supported");
            var t = doc.RootElement.TryGetProperty("target_modules", out var tm) ? tm : throw f.Error("target_modules", "missing");
            targets = t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                : t.ValueKind == JsonValueKind.String ? [t.GetString()!] : throw f.Error("target_modules", "must be a list of module names");
        }
        double scale = rs ? alpha / Math.Sqrt(rank) : alpha / rank;

        var engineOf = model.Layout.Layout.Slots.Where(s => s.Name.EndsWith(".weight", StringComparison.Ordinal))
            .ToDictionary(s => HfNames.ToHf(s.Name)[..^".weight".Length], s => s, StringComparer.Ordinal);
        using var weights = HfWeights.Open(directory, WeightsFile);
        var used = new HashSet<string>(StringComparer.Ordinal);
        int merged = 0;
        foreach (string aName in weights.Names.Where(n => n.EndsWith(".lora_A.weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string module = aName[..^".lora_A.weight".Length];
            string bName = module + ".lora_B.weight";
            string hfModule = module.StartsWith(Prefix, StringComparison.Ordinal) ? module[Prefix.Length..] : module;
            if (!engineOf.TryGetValue(hfModule, out var slot) || slot.Shape.Length != 2 || hfModule.EndsWith("embed_tokens", StringComparison.Ordinal))
                throw new InvalidDataException($"{Path.Combine(directory, WeightsFile)}: adapter on '{hfModule}', which is not a projection of the model (q/k/v/o, gate/up/down)");
            if (!weights.Contains(bName)) throw new InvalidDataException($"{Path.Combine(directory, WeightsFile)}: '{aName}' has no '{bName}'");
            int outDim = slot.Shape[0], inDim = slot.Shape[1];
            var a = GC.AllocateUninitializedArray<float>(rank * inDim, pinned: true);
            var b = GC.AllocateUninitializedArray<float>(outDim * rank, pinned: true);
            weights.ReadInto(aName, [rank, inDim], a);
            weights.ReadInto(bName, [outDim, rank], b);
            fixed (float* pa = a, pb = b, w = &model.Parameters[slot.Offset])
                model.Gemm.Multiply(pb, rank, false, pa, inDim, false, outDim, inDim, rank, (float)scale, 1f, w, inDim);
            used.Add(aName);
            used.Add(bName);
            merged++;
        }
        var extra = weights.Names.Where(n => !used.Contains(n)).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"{Path.Combine(directory, WeightsFile)}: tensor(s) that are not LoRA pairs: {string.Join(", ", extra.Take(5))}");
        if (merged == 0) throw new InvalidDataException($"{Path.Combine(directory, WeightsFile)}: no lora_A/lora_B pairs");
        return new Settings(rank, alpha, scale, targets, merged);
    }
}
