using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Random;

namespace SelfInterp.Organisms;

/// <summary>
/// Report examples from the organism's own pretraining corpus, drawn as pretraining draws them (the reporter's: its
/// report scenarios and native weights; the naive organism's: stated weights; a self-description organism's: its supervised
/// families' reports), for rehearsal during introspection
/// training (<see cref="RecipeIntrospection.Replay"/>). Each with its targets (filler values train only their format).
/// </summary>
public sealed class ReportReplay(Organism organism, ScenarioCatalog catalog, SeededStream rng)
{
    private readonly Dictionary<int, int[]> _native = Pretraining.NativeWeights(organism.Recipe, catalog);
    private readonly int[] _reportIds = Pretraining.ReportPool(organism.Recipe, catalog);
    private readonly FamilyCorpus _families = new(organism.Recipe, organism.Percept);

    public IEnumerable<(int[] Prompt, int[] Answer, int[] Targets)> Draw(int count)
    {
        var recipe = organism.Recipe;
        for (int k = 0; k < count; k++)
            yield return Pretraining.FamilyReportTurn(_families, _reportIds, rng) ? _families.Report(rng)
                : recipe.Corpus.StatedReports
                ? Pretraining.StatedReportExample(organism.Percept, catalog, _reportIds, recipe.Corpus, rng)
                : Pretraining.ReportExample(organism.Percept, catalog, _native, _reportIds, recipe.Corpus.ReportMixFraction, rng);
    }
}
