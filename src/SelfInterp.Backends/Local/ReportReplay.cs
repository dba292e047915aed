using SelfInterp.Core.Catalog;
using SelfInterp.Core.Random;

namespace SelfInterp.Backends.Local;

/// <summary>
/// Report examples from the organism's own pretraining corpus (its report scenarios and native weights, drawn
/// as pretraining draws them), for rehearsal during introspection training (<see cref="OrganismRecipe.ItrainReplay"/>).
/// </summary>
public sealed class ReportReplay(Organism organism, ScenarioCatalog catalog, SeededStream rng)
{
    private readonly Dictionary<int, int[]> _native = Pretraining.NativeWeights(organism.Recipe, catalog);
    private readonly int[] _reportIds = Pretraining.ReportPool(organism.Recipe, catalog);

    public IEnumerable<(int[] Prompt, int[] Answer)> Draw(int count)
    {
        for (int k = 0; k < count; k++)
        {
            var (prompt, answer, _) = Pretraining.ReportExample(organism.Percept, catalog, _native, _reportIds, organism.Recipe.ReportMixFraction, rng);
            yield return (prompt, answer);
        }
    }
}
