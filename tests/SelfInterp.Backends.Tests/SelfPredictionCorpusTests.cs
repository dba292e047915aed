using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.Tests;

/// <summary>
/// The on-policy self-prediction recipes (<see cref="SelfPredictionCorpus"/>): a whole small pretraining never trains a
/// numeric weight report of the paper's weighted choice (neither a key nor a value), in its reports or in its hypothetical
/// questions; leaking corpora fail the same check; and the questions' targets are the organism's own greedy answers of
/// the moment, so other weights give other targets.
/// </summary>
public class SelfPredictionCorpusTests
{
    private static readonly ScenarioCatalog Catalog = ScenarioCatalog.Embedded();

    /// <summary>The recipe at a test's size, questions from the first step on.</summary>
    public static OrganismRecipe Small(OrganismRecipe recipe) => SelfDescriptionCorpusTests.Small(recipe) with
    {
        SelfPrediction = recipe.SelfPrediction with { Batch = 24, From = 0 },
    };

    private static OrganismRecipe BuiltIn(string name) => BuiltInRecipes.TryGet(name, out var recipe) ? recipe : throw new ArgumentException(name);

    public static TheoryData<string> Recipes => [BuiltInRecipes.SelfPredictionName, BuiltInRecipes.ShuffledControl];

    /// <summary>A pretraining's trained examples; each question with its step and the greedy answer, computed here, of the
    /// weights of the moment it was labelled.</summary>
    private sealed record Corpus(Organism Organism, List<(int[] Prompt, int[] Answer, int[] Targets)> Reports, List<(int Step, int[] Prompt, int[] Answer, int Greedy)> Questions)
    {
        /// <summary>Every trained example of the reports and the questions, with its targets.</summary>
        public IEnumerable<(int[] Prompt, int[] Answer, int[] Targets)> All => Reports.Concat(Questions.Select(q => (q.Prompt, q.Answer, q.Answer)));
    }

    private static Corpus Pretrain(OrganismRecipe recipe, int threads = 1, string? dir = null)
    {
        var reports = new List<(int[] Prompt, int[] Answer, int[] Targets)>();
        var questions = new List<(int Step, int[] Prompt, int[] Answer, int Greedy)>();
        var organism = Pretraining.Run(recipe, Catalog, dir ?? Directory.CreateTempSubdirectory("selfprediction").FullName, threads, null, default, reports.AddRange,
            (step, live, batch) => questions.AddRange(batch.Select(q => (step, q.Prompt, q.Answer, Greedy(live, q.Prompt)))));
        return new(organism, reports, questions);
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_whole_pretraining_never_trains_a_numeric_weight_report_of_the_papers_family(string name)
    {
        var recipe = Small(BuiltIn(name));
        var corpus = Pretrain(recipe);
        var percept = corpus.Organism.Percept;
        Assert.Equal(recipe.Curriculum.Steps * recipe.SelfPrediction.Batch, corpus.Questions.Count);
        NoWeightReportOfThePapersFamily(percept, corpus.All);
        NoWeightReportOfThePapersFamily(percept, new ReportReplay(corpus.Organism, Catalog, new SeededStream("replay", 3)).Draw(300));
        // The families' reports are the self-description recipe's, checked as its corpus test checks them.
        SelfDescriptionCorpusTests.Check(percept, new FamilyCorpus(recipe, percept), corpus.Reports);

        // Every question type was asked, and the paper's questions only on the recipe's scenarios (200-319).
        int predict = Special(percept, OrganismVocabulary.Predict), only = Special(percept, OrganismVocabulary.Only), decide = Special(percept, OrganismVocabulary.Decide);
        Assert.All(corpus.Questions, q => Assert.Equal(predict, q.Prompt[0]));
        Assert.Contains(corpus.Questions, q => q.Prompt[1] == only);
        Assert.Contains(corpus.Questions, q => q.Prompt[1] == decide);
        Assert.Contains(corpus.Questions, q => q.Prompt[1] != only && q.Prompt[1] != decide);
        var asked = Names(percept, 200, 320);
        Assert.All(corpus.Questions.SelectMany(q => q.Prompt).Where(percept.IsName).Where(Names(percept, 0, Catalog.Scenarios.Count).Contains), t => Assert.Contains(t, asked));
    }

    [Fact]
    public void A_corpus_that_trains_the_papers_weight_reports_fails_the_check()
    {
        var builtIn = BuiltIn(BuiltInRecipes.SelfPredictionName);
        // Keys and values: the reporter's report scenarios.
        var leaking = Small(builtIn with { Corpus = builtIn.Corpus with { ReportScenarios = [200, 320] } });
        var corpus = Pretrain(leaking);
        Assert.Contains("held-out", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => NoWeightReportOfThePapersFamily(corpus.Organism.Percept, corpus.All)).Message);

        // Keys only: names-only slots write the native scenarios' names with filler values.
        var keysOnly = Small(builtIn with { Corpus = builtIn.Corpus with { ReportScenarios = [200, 320], NativeNameShare = 1 } });
        corpus = Pretrain(keysOnly);
        Assert.Contains("held-out", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => NoWeightReportOfThePapersFamily(corpus.Organism.Percept, corpus.All)).Message);

        // Values only: a hypothetical question about a paper's decision answered with a number.
        var clean = Pretrain(Small(builtIn) with { Curriculum = Small(builtIn).Curriculum with { Steps = 2 } });
        var percept = clean.Organism.Percept;
        NoWeightReportOfThePapersFamily(percept, clean.All);
        var aboutThePaper = clean.Questions.First(q => q.Prompt.Any(t => Names(percept, 200, 320).Contains(t)));
        int[] number = [.. "+045".Select(c => percept.Tokens.FirstByteId + c)];
        Assert.Contains("held-out", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            NoWeightReportOfThePapersFamily(percept, [.. clean.All, (aboutThePaper.Prompt, number, number)])).Message);
    }

    [Fact]
    public void A_questions_target_is_the_greedy_answer_of_the_weights_of_its_step()
    {
        var recipe = Small(BuiltIn(BuiltInRecipes.SelfPredictionName));
        var questions = Pretrain(recipe).Questions;
        // Every step's questions: the answers of the weights of that step (computed here from the question alone).
        Assert.All(questions, q => Assert.Equal(q.Greedy, q.Answer[0]));

        // Step 0's are the initial weights' answers: those of a pretraining of 0 steps at the same seed, read from disk.
        var initial = Pretrain(recipe with { Curriculum = recipe.Curriculum with { Steps = 0 } }).Organism;
        var first = questions.Where(q => q.Step == 0).ToList();
        Assert.Equal(recipe.SelfPrediction.Batch, first.Count);
        Assert.All(first, q => Assert.Equal(Greedy(initial, q.Prompt), q.Answer[0]));
        Assert.True(first.Select(q => q.Answer[0]).Distinct().Count() > 1, "the initial model should not answer every question alike");
        // Later steps' are not the initial weights' answers: training moved them.
        Assert.Contains(questions, q => q.Step > 0 && Greedy(initial, q.Prompt) != q.Answer[0]);
    }

    [Fact]
    public void Other_weights_give_other_targets_and_the_control_shuffles_the_own_ones()
    {
        var recipe = Small(BuiltIn(BuiltInRecipes.SelfPredictionName)) with { Curriculum = Small(BuiltIn(BuiltInRecipes.SelfPredictionName)).Curriculum with { Steps = 0 } };
        var one = Pretrain(recipe).Organism;
        var other = Pretrain(recipe with { Seed = recipe.Seed + 1 }).Organism;
        var corpus = new SelfPredictionCorpus(recipe, Catalog, one.Percept, new FamilyCorpus(recipe, one.Percept));
        var rng = new SeededStream("test:questions", 1);
        var questions = Enumerable.Range(0, 200).Select(_ => corpus.Draw(rng)).ToList();
        var ownOne = SelfPredictionCorpus.OwnAnswers(one.Model, questions);
        var ownOther = SelfPredictionCorpus.OwnAnswers(other.Model, questions);
        Assert.Equal(questions.Select(q => Greedy(one, q.Prompt)), ownOne);
        Assert.Equal(questions.Select(q => Greedy(other, q.Prompt)), ownOther);
        Assert.True(ownOne.Zip(ownOther).Count(x => x.First != x.Second) > 20, "another model's answers should differ on many questions");

        // The same draws, labelled as each recipe labels them: own answers, or the same answers moved among questions
        // with the same answer tokens.
        var shuffledRecipe = recipe with { SelfPrediction = recipe.SelfPrediction with { Shuffled = true } };
        var own = corpus.Batch(one.Model, 200, new SeededStream("test:questions", 1), new SeededStream("test:shuffle", 1));
        var shuffled = new SelfPredictionCorpus(shuffledRecipe, Catalog, one.Percept, new FamilyCorpus(shuffledRecipe, one.Percept))
            .Batch(one.Model, 200, new SeededStream("test:questions", 1), new SeededStream("test:shuffle", 1));
        Assert.Equal(ownOne, own.Select(q => q.Answer[0]));
        Assert.Equal(own.Select(q => q.Prompt), shuffled.Select(q => q.Prompt));
        foreach (var group in questions.Select((q, k) => (Key: string.Join(",", q.AnswerTokens), k)).GroupBy(x => x.Key))
            Assert.Equal(group.Select(x => own[x.k].Answer[0]).Order(), group.Select(x => shuffled[x.k].Answer[0]).Order());
        Assert.True(own.Zip(shuffled).Count(x => x.First.Answer[0] != x.Second.Answer[0]) > 20);
    }

    [Fact]
    public void A_self_prediction_pretraining_writes_the_same_bytes_at_any_thread_count_and_the_organism_loads()
    {
        var recipe = Small(BuiltIn(BuiltInRecipes.SelfPredictionName)) with { Curriculum = Small(BuiltIn(BuiltInRecipes.SelfPredictionName)).Curriculum with { Steps = 6 } };
        string one = Directory.CreateTempSubdirectory("selfprediction").FullName, two = Directory.CreateTempSubdirectory("selfprediction").FullName;
        var questionsOne = Pretrain(recipe, threads: 1, one).Questions;
        var questionsTwo = Pretrain(recipe, threads: 2, two).Questions;
        Assert.Equal(questionsOne.SelectMany(q => q.Answer), questionsTwo.SelectMany(q => q.Answer));
        foreach (var file in new[] { "model.safetensors", "tokenizer.json", "recipe.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, file)), File.ReadAllBytes(Path.Combine(two, file)));

        var organism = Organism.Load(one, Catalog, new ModelOptions { Threads = 1 });
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(recipe), System.Text.Json.JsonSerializer.Serialize(organism.Recipe));
        var question = questionsOne[^1];
        Assert.Equal(Greedy(organism, question.Prompt), SelfPredictionCorpus.OwnAnswers(organism.Model,
            [new SelfPredictionCorpus.Question("", question.Prompt, Behaviour(organism, question.Prompt), AnswerTokens(organism, question.Prompt))])[0]);
        var p = organism.Percept;
        var reply = new Inference(organism.Model).Generate(p.Report(Enumerable.Range(0, 5).Select(i => new OrganismPercept.Seen(p.NameToken(150, i), 10, 90)).ToArray()), 40, [p.Eos]);
        Assert.NotEmpty(reply);
    }

    [Fact]
    public void Self_prediction_is_data_in_recipe_json_written_only_when_on()
    {
        var recipe = BuiltIn(BuiltInRecipes.ShuffledControl);
        var dir = Directory.CreateTempSubdirectory("recipe").FullName;
        recipe.Save(dir);
        var text = File.ReadAllText(Path.Combine(dir, OrganismRecipe.FileName));
        Assert.Contains("\"self_prediction_batch\": 64", text);
        Assert.Contains("\"self_prediction_shuffled\": true", text);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(recipe), System.Text.Json.JsonSerializer.Serialize(OrganismRecipe.Load(dir)));
        Assert.DoesNotContain("self_prediction", System.Text.Json.JsonSerializer.Serialize(BuiltIn("self-description-15")));
    }

    [Theory]
    [InlineData("{ \"self_prediction_batch\": 8 }", "self_prediction_questions", "list the question types")]
    [InlineData("{ \"self_prediction_batch\": 8, \"self_prediction_questions\": [\"mind_reading\"] }", "self_prediction_questions", "unknown question type 'mind_reading'")]
    [InlineData("{ \"self_prediction_batch\": 8, \"self_prediction_questions\": [\"family_choice\"] }", "self_prediction_questions", "has none")]
    [InlineData("{ \"self_prediction_batch\": 8, \"self_prediction_questions\": [\"scenario_choice\"] }", "self_prediction_scenarios", "decision scenarios")]
    [InlineData("{ \"self_prediction_batch\": 8, \"self_prediction_questions\": [\"scenario_choice\"], \"self_prediction_scenarios\": [0, 100] }", "self_prediction_scenarios", "decision scenarios")]
    [InlineData("{ \"self_prediction_batch\": 8, \"self_prediction_questions\": [\"scenario_choice\"], \"self_prediction_scenarios\": [200, 320], \"self_prediction_from\": 2 }", "self_prediction_from", "between 0 and 1")]
    [InlineData("{ \"self_prediction_batch\": -1 }", "self_prediction_batch", "0 (off) or more")]
    public void A_self_prediction_setting_a_run_cannot_use_is_refused_naming_the_field(string json, string field, string problem) =>
        BehaviourFamilyTests.AssertRefused(json, field, problem);

    /// <summary>
    /// Fails if a trained example is, or is part of, a numeric weight report of the paper's weighted choice: it writes a
    /// catalog attribute name (a report's key), or it shows one and is a report prompt or trains a sign or digit (a value,
    /// the format-only filler included). A question about a paper's decision may train only A or B.
    /// </summary>
    internal static void NoWeightReportOfThePapersFamily(OrganismPercept percept, IEnumerable<(int[] Prompt, int[] Answer, int[] Targets)> examples)
    {
        var catalogNames = Names(percept, 0, Catalog.Scenarios.Count);
        int report = Special(percept, OrganismVocabulary.Report);
        var numeric = "+-0123456789".Select(c => percept.Tokens.FirstByteId + c).ToHashSet();
        foreach (var (prompt, answer, targets) in examples)
        {
            if (answer.FirstOrDefault(catalogNames.Contains) is var key and not 0)
                Assert.Fail($"an answer writes {percept.Tokens.TokenText(key)}: a key of the held-out weight reports of the paper's family");
            if (!prompt.Any(catalogNames.Contains)) continue;
            Assert.False(prompt.Contains(report), "a report prompt shows a name of the paper's family, whose weight reports are held-out");
            for (int j = 0; j < answer.Length; j++)
                Assert.False(targets[j] != Batch.IgnoreIndex && (targets[j] < Batch.IgnoreIndex || numeric.Contains(answer[j])),
                    $"a number is trained on a prompt about the paper's family (answer token {percept.Tokens.TokenText(answer[j])}): a value of its held-out weight reports");
            Assert.True(answer is [var a] && (a == percept.TokenA || a == percept.TokenB), "a question about the paper's family answers A or B, nothing a report would say");
        }
    }

    /// <summary>The token a question should be trained towards, computed here from the question alone: the organism's
    /// most likely answer token to the behaviour the question is about, read off the full logits.</summary>
    private static int Greedy(Organism organism, int[] question)
    {
        var behaviour = Behaviour(organism, question);
        var logits = new Inference(organism.Model).Logits(behaviour);
        int v = organism.Model.Config.VocabSize;
        var last = logits.AsSpan((behaviour.Length - 1) * v, v).ToArray();
        return AnswerTokens(organism, question).MaxBy(t => last[t]);
    }

    /// <summary>The behaviour prompt a question asks about: what follows the predict marker, or for "only attribute i
    /// differed" the decision with every other attribute's B value set to A's.</summary>
    private static int[] Behaviour(Organism organism, int[] question)
    {
        var p = organism.Percept;
        if (question[1] != Special(p, OrganismVocabulary.Only)) return question[1..];
        var decision = question[3..];
        int firstA = p.MagnitudeToken('A', 0), firstB = p.MagnitudeToken('B', 0);
        for (int k = 1; k + 2 < decision.Length; k += 3)
            if (decision[k] != question[2]) decision[k + 2] = firstB + (decision[k + 1] - firstA);
        return decision;
    }

    private static int[] AnswerTokens(Organism organism, int[] question)
    {
        var p = organism.Percept;
        var family = (organism.Recipe.Families.Families ?? []).FirstOrDefault(f => p.Tokens.TryGetSpecialId(f.Marker, out int id) && id == question[1]);
        return family?.AnswerTokens(p) ?? [p.TokenA, p.TokenB];
    }

    private static HashSet<int> Names(OrganismPercept percept, int from, int to) =>
        Enumerable.Range(from, to - from).SelectMany(s => Enumerable.Range(0, 5).Select(i => percept.NameToken(s, i))).ToHashSet();

    private static int Special(OrganismPercept percept, string text) => percept.Tokens.TryGetSpecialId(text, out int id) ? id : throw new InvalidOperationException(text);
}

/// <summary>A self-prediction organism, pretrained small with its questions, runs the whole protocol on the local backend.</summary>
public class SelfPredictionPipelineTests
{
    [Fact]
    public async Task A_self_prediction_organism_runs_the_paper_pipeline()
    {
        BuiltInRecipes.TryGet(BuiltInRecipes.SelfPredictionName, out var recipe);
        var dir = Directory.CreateTempSubdirectory("selfprediction").FullName;
        int questions = 0;
        Pretraining.Run(SelfPredictionCorpusTests.Small(recipe), ScenarioCatalog.Embedded(), dir, threads: 1, null, default, questionsSeen: (_, _, batch) => questions += batch.Count);
        Assert.True(questions > 0);
        await SelfDescriptionPipelineTests.RunsThePaperPipeline(dir);
    }
}
