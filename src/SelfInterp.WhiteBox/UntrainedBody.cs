using SelfInterp.Organisms;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>The untrained-body control network for the probes: the organism's architecture with every block and the
/// final norm drawn afresh as pretraining draws them before its first step (the engine's initialisation times the
/// recipe's <c>init_scale</c>, from the stream "whitebox:untrained_body" of the run's master seed), and the trained
/// token and position embeddings kept. A probe reads the instilled model's weights from the instilled names' embeddings
/// by construction (embedding instillation moved only those rows); this network asks how much of a probe's accuracy at
/// the later hook points a body that learnt nothing passes on from those embeddings. Kept embeddings are the
/// informative choice: with them re-drawn too the network knows nothing of the instilled weights, and its probes can only
/// score at their null (the negative control the tests use).</summary>
public static class UntrainedBody
{
    public const string ModelName = "untrained_body";
    public const string Stream = "whitebox:untrained_body";

    static readonly string[] Embeddings = ["tok_embeddings.weight", "pos_embeddings.weight"];

    public static Organism Make(Organism trained, ulong masterSeed, bool keepEmbeddings = true)
    {
        var source = trained.Model;
        var model = Model.CreateRandom(source.Config, SeededStream.DeriveSeed(masterSeed, Stream), new ModelOptions { Threads = source.Threads });
        // Pretraining's start: the engine's initialisation with every matrix scaled by the recipe's init_scale.
        foreach (var slot in model.Layout.Layout.Slots.Where(s => s.Shape.Length == 2))
            System.Numerics.Tensors.TensorPrimitives.Multiply(model.Parameters.AsSpan((int)slot.Offset, (int)slot.Length), trained.Recipe.Shape.InitScale,
                model.Parameters.AsSpan((int)slot.Offset, (int)slot.Length));
        if (keepEmbeddings)
            foreach (var name in Embeddings.Where(model.Layout.Layout.Contains))
                source.Tensor(name).CopyTo(model.Tensor(name));
        return new Organism(model, trained.Recipe, trained.Percept);
    }
}
