using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Tests.Tokenization.Training;

namespace SelfInterp.Engine.Tests.Tokenization;

public class SubwordLearningTests
{
    private const int FixedIds = 7 + Tokenizer.ByteTokenCount;

    [Fact]
    public void MergesTheMostFrequentPairThenBreaksTiesOrdinally()
    {
        // Pairs in "abab" and " abcd": (a,b) occurs 3 times and is merged first; after that every pair
        // occurs once, and the ordinal order of the left symbol decides (' ' < "ab" < "c").
        var tokenizer = TokenizerTrainer.Train(["abab abcd"], new TokenizerOptions
        {
            MinCount = 1,
            MaxVocabSize = FixedIds + 3,
            SubwordPieces = 3,
        });
        Assert.Equal(["ab", " ab", " abc"], tokenizer.Pieces);
    }

    [Fact]
    public void SubwordsShortenUnseenWordsAndRoundTrip()
    {
        string[] corpus = ["unhappy unkind unfair untrue unwise unclean unsafe unreal kindness fairness"];
        var withSubwords = TokenizerTrainer.Train(corpus, new TokenizerOptions { MinCount = 2, SubwordPieces = 20 });
        var withoutSubwords = TokenizerTrainer.Train(corpus, new TokenizerOptions { MinCount = 2 });
        Assert.Empty(withoutSubwords.Pieces); // every word occurs once
        Assert.Contains(" un", withSubwords.Pieces);
        Assert.Contains("ness", withSubwords.Pieces);

        const string unseen = " unlikeness";
        int[] ids = withSubwords.Encode(unseen);
        Assert.Equal(unseen, withSubwords.Decode(ids));
        Assert.True(ids.Length < withoutSubwords.Encode(unseen).Length);
        foreach (string text in TokenizerTestCorpus.Awkward)
            Assert.Equal(text, withSubwords.Decode(withSubwords.Encode(text)));
    }

    [Fact]
    public void SubwordsUseOnlyTheirOwnBudget()
    {
        var options = new TokenizerOptions { MaxVocabSize = 290, MinCount = 1, SubwordPieces = 10 };
        var tokenizer = TokenizerTestCorpus.Trained(options);
        var wordsOnly = TokenizerTestCorpus.Trained(options with { MaxVocabSize = 280, SubwordPieces = 0 });
        Assert.True(tokenizer.VocabSize <= 290);
        Assert.Equal(wordsOnly.Pieces, tokenizer.Pieces.Take(wordsOnly.Pieces.Count));
        Assert.InRange(tokenizer.Pieces.Count - wordsOnly.Pieces.Count, 1, 10);
    }

    [Fact]
    public void SubwordLearningIsIndependentOfCorpusOrder()
    {
        List<string> prompts = [.. TokenizerTestCorpus.Prompts(200), .. TokenizerTestCorpus.Awkward];
        var options = new TokenizerOptions { MaxVocabSize = 300, MinCount = 1, SubwordPieces = 25 };
        Assert.Equal(
            TokenizerTrainer.Train(prompts, options).Pieces,
            TokenizerTrainer.Train(Enumerable.Reverse(prompts), options).Pieces);
    }
}
