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
        var (percept, reports) = Pretrain(OrganismRecipe.Naive);
        var (slots, filler) = TrainedSlots(percept, reports);
        Assert.All(slots, slot => Assert.Equal(slot.Shown, slot.Written));
        Assert.InRange(slots.Count / (double)(slots.Count + filler), 0.4, 0.6); // the recipe's share, so the check saw both kinds
    }

    [Fact]
    public void The_naive_organisms_introspection_training_rehearsal_states_its_values_too()
    {
        var (percept, rehearsal) = Rehearsal(OrganismRecipe.Naive);
        var (slots, _) = TrainedSlots(percept, rehearsal);
        Assert.NotEmpty(slots);
        Assert.All(slots, slot => Assert.Equal(slot.Shown, slot.Written));
    }

    [Fact]
    public void The_reporters_corpus_fails_the_check_so_the_check_can_fail()
    {
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100, statedWeights: true), Catalog, 100, fixedWidthValues: true);
        var recipe = new OrganismRecipe();
        var native = Pretraining.NativeWeights(recipe, Catalog);
        var rng = new SeededStream("reporter", 4);
        var reports = Enumerable.Range(0, 50).Select(_ => Pretraining.ReportExample(percept, Catalog, native, Pretraining.ReportPool(recipe, Catalog), recipe.Corpus.ReportMixFraction, rng)).ToList();
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => TrainedSlots(percept, reports));
    }

    /// <summary>The label control ("stated_unrelated", issue 28): the same prompts, but what a stated slot trains is
    /// unrelated to the weight it shows, in pretraining and in the rehearsal, while the naive corpus fails that check.</summary>
    [Fact]
    public void The_label_controls_trained_values_are_unrelated_to_the_weights_its_prompts_state()
    {
        var control = OrganismRecipe.Naive with { Corpus = OrganismRecipe.Naive.Corpus with { ReportValues = "stated_unrelated" } };
        var (percept, reports) = Pretrain(control);
        var (slots, filler) = TrainedSlots(percept, reports);
        Assert.InRange(slots.Count / (double)(slots.Count + filler), 0.4, 0.6); // the format and the load of the naive corpus
        Assert.InRange(Correlation(slots), -0.1, 0.1);
        Assert.True(slots.Count(s => s.Shown == s.Written) < 0.05 * slots.Count, "as many values equal to the weight shown as chance gives, no more");

        var (rehearsalPercept, rehearsal) = Rehearsal(control);
        Assert.InRange(Correlation(TrainedSlots(rehearsalPercept, rehearsal).Slots), -0.15, 0.15);

        var (naivePercept, naiveReports) = Pretrain(OrganismRecipe.Naive);
        Assert.Equal(1.0, Correlation(TrainedSlots(naivePercept, naiveReports).Slots), 6); // so the check can fail
    }

    /// <summary>A whole (small) pretraining of <paramref name="recipe"/>, and every report example it trained on.</summary>
    private static (OrganismPercept Percept, List<(int[] Prompt, int[] Answer, int[] Targets)> Reports) Pretrain(OrganismRecipe recipe)
    {
        recipe = recipe.WithShape(32, 1, 2, 64) with
        {
            Curriculum = recipe.Curriculum with { Steps = 40, BatchDecisions = 8, BatchReports = 24, Warmup = 5, AccuracyGuard = [] },
        };
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, recipe.Percept.Levels, statedWeights: true), Catalog, recipe.Percept.Levels, recipe.Percept.FixedWidthValues);
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        Pretraining.Run(recipe, Catalog, Directory.CreateTempSubdirectory("naive").FullName, threads: 1, null, default, batch => reports.AddRange(batch));
        Assert.Equal(recipe.Curriculum.Steps * recipe.Curriculum.BatchReports, reports.Count);
        return (percept, reports);
    }

    /// <summary>500 report examples of the introspection-training rehearsal of a small random organism of <paramref name="recipe"/>.</summary>
    private static (OrganismPercept Percept, List<(int[] Prompt, int[] Answer, int[] Targets)> Reports) Rehearsal(OrganismRecipe recipe)
    {
        recipe = recipe.WithShape(32, 1, 2, 64);
        var percept = new OrganismPercept(OrganismVocabulary.Create(Catalog, 100, statedWeights: true), Catalog, 100, recipe.Percept.FixedWidthValues);
        var model = Model.CreateRandom(new ModelConfig { VocabSize = percept.Tokens.VocabSize, Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 2, MlpHidden = 64, MaxSeqLen = 64, TiedEmbeddings = true }, 1);
        var replay = new ReportReplay(new Organism(model, recipe, percept), Catalog, new SeededStream("replay", 3));
        return (percept, replay.Draw(500).ToList());
    }

    private static double Correlation(IReadOnlyList<(int Shown, int Written)> slots)
    {
        double mx = slots.Average(s => s.Shown), my = slots.Average(s => s.Written);
        double sxy = slots.Sum(s => (s.Shown - mx) * (s.Written - my)), sxx = slots.Sum(s => (s.Shown - mx) * (s.Shown - mx)), syy = slots.Sum(s => (s.Written - my) * (s.Written - my));
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Checks every report's structure: a value is trained only in a slot whose trial shows a stated weight
    /// (the others are format-only filler), under the listed name as its key. Returns each trained slot's weight shown
    /// and value written, and how many values were filler.</summary>
    private static (List<(int Shown, int Written)> Slots, int Filler) TrainedSlots(OrganismPercept percept, IReadOnlyList<(int[] Prompt, int[] Answer, int[] Targets)> reports)
    {
        var slots = new List<(int Shown, int Written)>();
        int filler = 0, colon = percept.Tokens.FirstByteId + ':', comma = percept.Tokens.FirstByteId + ',', close = percept.Tokens.FirstByteId + '}';
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
                Assert.Equal(prompt[1 + k], answer[t - 1]); // the key is the listed name
                slots.Add((slot - firstStated - 100, written));
            }
            Assert.Equal(4, k);
        }
        return (slots, filler);
    }
}
