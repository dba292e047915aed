using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.Training;

namespace SelfInterp.Organisms;

/// <summary>How a fine-tuning job trains an organism: which parameters a method moves, at what rate and with what
/// decay. Shared by the local backend's jobs (instillation, introspection training) and the white-box lab's reverse
/// fine-tuning, so the lab trains with exactly the settings the run's own jobs used.</summary>
public sealed record OrganismFineTuning(string Method, float LearningRate, int Batch, float WeightDecay, int LoraRank, float LoraAlpha, string Field)
{
    /// <summary>The settings of instillation (training on choices) under a run's overrides, or of introspection
    /// training (on reports). <see cref="Field"/> names the recipe field a bad method came from.</summary>
    public static OrganismFineTuning For(OrganismRecipe recipe, InstillationOptions instillation, bool decisions)
    {
        var r = decisions ? instillation.ApplyTo(recipe) : recipe;
        return decisions
            ? new(r.Instillation.Method, r.Instillation.LearningRate, r.Instillation.Batch, r.Curriculum.WeightDecay, instillation.Rank, instillation.Alpha, "instill_method")
            : new(r.Introspection.Method, r.Introspection.LearningRate, r.Introspection.Batch, r.Curriculum.WeightDecay, instillation.Rank, instillation.Alpha, "itrain_method");
    }

    /// <summary>Prepares the organism and returns its trainer: LoRA adapters attached for "lora" (merge them after
    /// training), the gradient filter and frozen tensors of the method, warm-up over min(10, an epoch's steps) then
    /// cosine decay to a tenth of the rate at <paramref name="totalSteps"/>. <paramref name="prompts"/> are the
    /// training prompts, whose attribute names the "embeddings" method trains.</summary>
    public Trainer Prepare(Organism organism, IEnumerable<int[]> prompts, int stepsPerEpoch, int totalSteps, ulong seed, string name)
    {
        // LoRA trains adapters beside frozen base weights (the trainer takes them once attached); they are merged before saving.
        if (Method == "lora") organism.Model.AttachLora(LoraRank, LoraAlpha, SeededStream.DeriveSeed(seed, "lora_init:" + name));
        var trainer = new Trainer(organism.Model, new TrainerOptions
        {
            Schedule = new LearningRateSchedule(LearningRate, LearningRate * 0.1f, Math.Min(10, stepsPerEpoch), totalSteps),
            // Decay would shrink frozen parameters too (it ignores gradients): only a full fine-tune decays.
            WeightDecay = Method == "full" ? WeightDecay : 0,
            Beta2 = 0.98f,
            GradientFilter = Method switch
            {
                "embeddings" => KeepRows(organism, prompts.SelectMany(p => p).Distinct()),
                "body" or "mlp" => TrainOnly(organism, Trains(Method)),
                "full" or "lora" => null,
                _ => throw new UsageException($"{OrganismRecipe.FileName}: field {Field}: unknown method '{Method}' (known: {string.Join(", ", OrganismRecipe.FineTuningMethods)})"),
            },
        });
        // The backward skips the weight gradients of tensors the method leaves alone (the filter zeroes them anyway).
        organism.Model.FrozenTensors = Method is "full" or "lora" ? null
            : organism.Model.Layout.Layout.Slots.Select(slot => slot.Name).Where(tensor => !Trains(Method)(tensor)).ToHashSet();
        return trainer;
    }

    /// <summary>A gradient filter that keeps only the embedding rows of the given tokens that are attribute names:
    /// the instillation that moves just the five name embeddings of each scenario.</summary>
    private static Action<float[]> KeepRows(Organism organism, IEnumerable<int> tokens)
    {
        var model = organism.Model;
        int d = model.Config.Dim, start = (int)model.Layout.Embedding;
        var rows = tokens.Where(organism.Percept.IsName).Order().ToArray();
        var keep = new float[rows.Length * d];
        return g =>
        {
            for (int r = 0; r < rows.Length; r++) Array.Copy(g, start + rows[r] * d, keep, r * d, d);
            Array.Clear(g);
            for (int r = 0; r < rows.Length; r++) Array.Copy(keep, r * d, g, start + rows[r] * d, d);
        };
    }

    /// <summary>Which tensors a fine-tuning method trains.</summary>
    private static Func<string, bool> Trains(string method) => method switch
    {
        // Only the name embeddings (rows of the token table, picked by the gradient filter).
        "embeddings" => tensor => tensor == "tok_embeddings.weight",
        // Everything but the token embedding table (and so, tied, the output head): the names keep
        // the preferences they carry; what changes is how the network reads them.
        "body" => tensor => tensor != "tok_embeddings.weight",
        // Only the feed-forward blocks: attention, which copies the names into a report, stays as pretrained.
        "mlp" => tensor => tensor.Contains(".feed_forward.") || tensor.Contains(".ffn_norm."),
        _ => _ => true,
    };

    /// <summary>A gradient filter that trains only the named tensors the predicate keeps.</summary>
    private static Action<float[]> TrainOnly(Organism organism, Func<string, bool> keep)
    {
        var frozen = organism.Model.Layout.Layout.Slots.Where(slot => !keep(slot.Name)).ToArray();
        return g =>
        {
            foreach (var slot in frozen) Array.Clear(g, (int)slot.Offset, (int)slot.Length);
        };
    }
}
