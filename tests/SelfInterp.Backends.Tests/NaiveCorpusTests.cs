using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.Tests;

/// <summary>The naive organism's pretraining never trains a report value that its prompt does not state: every value
/// token with a loss on it spells the weight that the stated-weight token in that attribute's trial slot shows.</summary>
public class NaiveCorpusTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    [Fact]
    public void Every_report_of_a_whole_naive_pretraining_trains_only_values_stated_in_its_prompt()
    {
        var recipe = OrganismRecipe.Naive.WithShape(32, 1, 2, 64) with
        {
            Curriculum = OrganismRecipe.Naive.Curriculum with { Steps = 40, BatchDecisions = 8, BatchReports = 24, Warmup = 5, AccuracyGuard = [] },
        };
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, recipe.Percept.Levels, statedWeights: true), Catalog, recipe.Percept.Levels, recipe.Percept.FixedWidthValues);
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        Pretraining.Run(recipe, Catalog, Directory.CreateTempSubdirectory("naive").FullName, threads: 1, null, default, batch => reports.AddRange(batch));

        Assert.Equal(recipe.Curriculum.Steps * recipe.Curriculum.BatchReports, reports.Count);
        var (stated, filler) = CheckCorpus(percept, reports);
        Assert.InRange(stated / (double)(stated + filler), 0.4, 0.6); // the recipe's share, so the check saw both kinds
    }

    [Fact]
    public void The_naive_organisms_introspection_training_rehearsal_states_its_values_too()
    {
        var recipe = OrganismRecipe.Naive.WithShape(32, 1, 2, 64);
        var model = Model.CreateRandom(new ModelConfig { VocabSize = OrganismVocabulary.Create(Catalog, 100, true).VocabSize, Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 2, MlpHidden = 64, MaxSeqLen = 64, TiedEmbeddings = true }, 1);
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100, statedWeights: true), Catalog, 100, recipe.Percept.FixedWidthValues);
        var replay = new ReportReplay(new Organism(model, recipe, percept), Catalog, new SeededStream("replay", 3));
        var (stated, _) = CheckCorpus(percept, replay.Draw(500).ToList());
        Assert.True(stated > 0);
    }

    [Fact]
    public void The_reporters_corpus_fails_the_check_so_the_check_can_fail()
    {
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100, statedWeights: true), Catalog, 100, fixedWidthValues: true);
        var recipe = new OrganismRecipe();
        var native = Pretraining.NativeWeights(recipe, Catalog);
        var rng = new SeededStream("reporter", 4);
        var reports = Enumerable.Range(0, 50).Select(_ => Pretraining.ReportExample(percept, Catalog, native, Pretraining.ReportPool(recipe, Catalog), recipe.Corpus.ReportMixFraction, rng)).ToList();
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => CheckCorpus(percept, reports));
    }

    /// <summary>Checks every report; returns how many values were trained (stated) and how many were format-only filler.</summary>
    private static (int Stated, int Filler) CheckCorpus(OrganismPercept percept, IReadOnlyList<(int[] Prompt, int[] Answer, int[] Targets)> reports)
    {
        int stated = 0, filler = 0, colon = percept.Tokens.FirstByteId + ':', comma = percept.Tokens.FirstByteId + ',', close = percept.Tokens.FirstByteId + '}';
        int firstStated = percept.StatedWeightToken(-100), lastStated = percept.StatedWeightToken(100);
        foreach (var (prompt, answer, targets) in reports)
        {
            // Prompt: report, five listed names, then (slot mA mB) five times, then the answer marker.
            Assert.Equal(1 + 5 + 15 + 1, prompt.Length);
            int k = -1;
            for (int t = 0; t < answer.Length; t++)
            {
                if (answer[t] != colon) continue;
                k++;
                int end = t + 1;
                while (answer[end] != comma && answer[end] != close) end++;
                var value = answer[(t + 1)..end];
                bool trained = Enumerable.Range(t + 1, end - t - 1).Any(j => targets[j] == answer[j]);
                bool formatOnly = Enumerable.Range(t + 1, end - t - 1).All(j => targets[j] <= Batch.AnyOf(0));
                Assert.True(trained || formatOnly, "a value is either trained or format-only, not partly trained");
                if (formatOnly) { filler++; continue; }
                int slot = prompt[1 + 5 + 3 * k];
                Assert.True(slot >= firstStated && slot <= lastStated, $"a trained value in slot {k} whose prompt shows no stated weight there");
                int written = int.Parse(string.Concat(value.Select(id => percept.Tokens.TokenText(id))), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(slot - firstStated - 100, written);
                Assert.Equal(prompt[1 + k], answer[t - 1]); // the key is the listed name
                stated++;
            }
            Assert.Equal(4, k);
        }
        return (stated, filler);
    }
}
