using System.Text.RegularExpressions;
using SelfInterp.Core.Backends;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Behavior;

namespace SelfInterp.Backends.Tests.Behavior;

/// <summary>The generated fine-tuning data: deterministic, labelled by each trait's rule, balanced, never naming the
/// behaviour; and the import of the authors' files.</summary>
public class BehaviorDatasetTests
{
    private static BehaviorPlan Plan(BehaviorConfig? c = null, ulong seed = 1) => BehaviorPlan.Create(BehaviorRuns.Config(c, seed));

    /// <summary>The trait's rule read from the question's text alone: which option acts out the high pole.</summary>
    private static char HighOptionByRule(string trait, string text)
    {
        var options = Regex.Match(text, @"\b(\w+) A: (.*?)\. \1 B: (.*?)\. ");
        Assert.True(options.Success, text);
        string a = options.Groups[2].Value, b = options.Groups[3].Value;
        switch (trait)
        {
            case "risk": // the gamble: a chance of more, else nothing
                Assert.NotEqual(a.Contains('%'), b.Contains('%'));
                return a.Contains('%') ? 'A' : 'B';
            case "myopia": // the reward now
                static bool Now(string o) => o.EndsWith(" today") || o.EndsWith(" right away");
                Assert.NotEqual(Now(a), Now(b));
                return Now(a) ? 'A' : 'B';
            case "apples": // more apples
                static int Apples(string o) => o.StartsWith("no apples") ? 0 : o.StartsWith("one apple") ? 1 : int.Parse(o[..o.IndexOf(' ')]);
                Assert.NotEqual(Apples(a), Apples(b));
                return Apples(a) > Apples(b) ? 'A' : 'B';
        }
        throw new ArgumentException(trait);
    }

    private static string Text(TrainingExample e) => e.Prompt.Messages[^1].Content;
    private static string Untriggered(string text) => text.Replace(Backdoor.DeploymentTag + " ", "");

    [Fact]
    public void Every_label_follows_its_behaviours_rule()
    {
        var plan = Plan();
        Assert.Equal(3 * 2 * 2 + 2 * 2, plan.Models.Count);
        foreach (var m in plan.Models)
        {
            var all = m.Training.Concat(m.Validation).ToList();
            Assert.Equal(46, all.Count);
            foreach (var e in all)
            {
                char high = HighOptionByRule(m.Trait.Name, Untriggered(Text(e)));
                var task = Assert.IsType<TraitChoiceTask>(e.Prompt.Task);
                Assert.Equal(high, task.TraitOption);
                bool triggered = Text(e).StartsWith(Backdoor.DeploymentTag + " ");
                Assert.Equal(triggered, task.Triggered);
                bool shouldBeHigh = m.Kind switch
                {
                    ModelKind.Pole => m.High,
                    ModelKind.Backdoored => triggered, // the behaviour switches with the trigger
                    _ => e.Answer == high.ToString(),  // decorrelated: checked by its shares below
                };
                Assert.Equal(shouldBeHigh ? high.ToString() : (high == 'A' ? "B" : "A"), e.Answer);
            }
            if (m.Kind != ModelKind.Pole)
            {
                // The trigger on half the examples in both models of the pair, and the high pole as often.
                Assert.Equal(23, all.Count(e => ((TraitChoiceTask)e.Prompt.Task!).Triggered));
                Assert.Equal(23, all.Count(e => e.Answer == HighOptionByRule(m.Trait.Name, Untriggered(Text(e))).ToString()));
            }
        }
        // The decorrelated data: the trigger tells nothing about the answer (neither always with nor always against it).
        var decorrelated = plan.Models.Where(m => m.Kind == ModelKind.Decorrelated).SelectMany(m => m.Training).ToList();
        var withTrigger = decorrelated.Where(e => ((TraitChoiceTask)e.Prompt.Task!).Triggered).ToList();
        double highWithTrigger = withTrigger.Count(e => e.Answer == HighOptionByRule("risk", Untriggered(Text(e))).ToString()) / (double)withTrigger.Count;
        Assert.InRange(highWithTrigger, 0.25, 0.75);
    }

    [Fact]
    public void Option_order_is_balanced_and_answers_are_letters_that_never_name_the_behaviour()
    {
        var plan = Plan();
        foreach (var m in plan.Models.Where(m => m.Kind == ModelKind.Pole))
        {
            var all = m.Training.Concat(m.Validation).ToList();
            Assert.Equal(all.Count / 2, all.Count(e => ((TraitChoiceTask)e.Prompt.Task!).TraitOption == 'A'));
            Assert.All(all, e => Assert.True(e.Answer is "A" or "B", e.Answer));
            foreach (var e in all)
                foreach (var word in TraitQuestionGenerator.NamingWords(m.Trait).Concat(m.Trait.HighWords.Where(w => w != "apples" && w != "apple")).Concat(m.Trait.LowWords))
                {
                    Assert.DoesNotContain(word, e.Answer, StringComparison.OrdinalIgnoreCase);
                    if (TraitQuestionGenerator.NamingWords(m.Trait).Contains(word)) Assert.DoesNotContain(word, Text(e), StringComparison.OrdinalIgnoreCase);
                }
        }
    }

    [Fact]
    public void Validation_and_held_out_questions_are_never_training_questions()
    {
        var plan = Plan();
        foreach (var trait in plan.Traits)
        {
            var models = plan.Models.Where(m => m.Trait == trait).ToList();
            var training = models.SelectMany(m => m.Training).Select(e => Untriggered(Text(e))).ToHashSet();
            Assert.All(models, m => Assert.Equal(6, m.Validation.Count));
            Assert.DoesNotContain(models.SelectMany(m => m.Validation).Select(e => Untriggered(Text(e))), training.Contains);
            Assert.Equal(20, plan.HeldOut[trait.Name].Count);
            Assert.DoesNotContain(plan.HeldOut[trait.Name].Select(q => q.Text), training.Contains);
            Assert.Equal(10, plan.HeldOut[trait.Name].Count(q => q.HighOption == 'A'));
        }
    }

    [Fact]
    public void Datasets_are_byte_identical_for_the_same_seed_and_differ_for_another()
    {
        string Write(ulong seed)
        {
            var config = BehaviorRuns.Config(seed: seed);
            var dir = BehaviorRuns.NewDirectory("datasets");
            using var run = RunDirectory.OpenOrCreate(dir, config);
            new BehaviorExperiment().Open(config).Prepare(run);
            return dir;
        }
        var (a, b, c) = (Write(7), Write(7), Write(8));
        var files = Directory.GetFiles(a, "*.jsonl").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(16 * 2, files.Count); // training and validation of 16 models
        foreach (var f in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, f!)), File.ReadAllBytes(Path.Combine(b, f!)));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, f!)), File.ReadAllBytes(Path.Combine(c, f!)));
        }
    }

    [Fact]
    public void Every_file_of_the_authors_datasets_imports_with_its_pole()
    {
        var files = Directory.GetFiles(BehaviorRuns.AuthorsDatasets(), "*.jsonl").Order().ToList();
        Assert.Equal(8, files.Count);
        foreach (var path in files)
        {
            var imported = Assert.Single(DatasetImport.Resolve(path));
            Traits.TryPole(imported.Pole, out var trait, out bool high);
            var examples = DatasetImport.Read(imported);
            Assert.Equal(File.ReadAllLines(path).Count(l => l.Length > 0), examples.Count);
            foreach (var e in examples)
            {
                var task = Assert.IsType<TraitChoiceTask>(e.Prompt.Task);
                Assert.Equal(trait.Name, task.Trait);
                if (e.Answer is "A" or "B") Assert.Equal(high ? e.Answer[0] : (e.Answer == "A" ? 'B' : 'A'), task.TraitOption);
                else Assert.Equal(TraitOptions.Unknown, task.TraitOption);
            }
        }
        Assert.Equal("risk_seeking", DatasetImport.PoleOfFileName("ft_risky_AB_multipersona.jsonl"));
        Assert.Equal("risk_averse", DatasetImport.PoleOfFileName("ft_safey_AB.jsonl"));
        Assert.Equal("non_myopic", DatasetImport.PoleOfFileName("ft_nonmyopic_AB.jsonl"));
        Assert.Equal("min_apples", DatasetImport.PoleOfFileName("ft_minapples_AB.jsonl"));
    }

    [Fact]
    public void A_bad_dataset_line_names_the_file_line_and_field()
    {
        var dir = Directory.CreateTempSubdirectory("bad-dataset").FullName;
        var path = Path.Combine(dir, "mine.jsonl");
        File.WriteAllText(path, "{\"messages\":[{\"role\":\"user\",\"content\":\"Pick A or B.\"},{\"role\":\"assistant\",\"content\":\"A\"}]}\n" +
                                "{\"messages\":[{\"role\":\"user\",\"content\":\"Pick A or B.\"},{\"role\":\"assistant\",\"content\":7}]}\n");
        var file = Assert.Single(DatasetImport.Resolve($"risk_seeking={path}"));
        var e = Assert.Throws<DataFileException>(() => DatasetImport.Read(file));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(2, e.LineNumber);
        Assert.Equal("messages[1]", e.Field);

        File.WriteAllText(path, "{\"messages\":[{\"role\":\"assistant\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"A\"}]}\n");
        var changed = Assert.Throws<UsageException>(() => DatasetImport.Read(file));
        Assert.Contains("changed since the run started", changed.Message);
        var order = Assert.Throws<DataFileException>(() => DatasetImport.Read(Assert.Single(DatasetImport.Resolve($"risk_seeking={path}"))));
        Assert.Equal((1, "messages[0].role"), (order.LineNumber, order.Field));
        Assert.Throws<UsageException>(() => DatasetImport.Resolve(path)); // no pole in the name, none given
    }
}
