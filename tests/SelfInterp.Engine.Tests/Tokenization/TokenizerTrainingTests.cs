using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Tests.Tokenization.Training;

namespace SelfInterp.Engine.Tests.Tokenization;

public class TokenizerTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tokenizer-training-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private byte[] SavedBytes(Tokenizer tokenizer, string name)
    {
        string path = Path.Combine(_directory, name);
        tokenizer.Save(path);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void SameCorpusAndOptionsGiveAByteIdenticalFile()
    {
        var options = new TokenizerOptions { MaxVocabSize = 350, ForcedPieces = ["zeta_attr", "alpha_attr"] };
        byte[] first = SavedBytes(TokenizerTrainer.Train(TokenizerTestCorpus.Prompts(300), options), "a.json");
        byte[] second = SavedBytes(TokenizerTrainer.Train(TokenizerTestCorpus.Prompts(300), options), "b.json");
        Assert.Equal(first, second);
    }

    [Fact]
    public void CorpusOrderDoesNotMatter()
    {
        List<string> prompts = TokenizerTestCorpus.Prompts(300);
        var options = new TokenizerOptions { MaxVocabSize = 350 };
        byte[] forward = SavedBytes(TokenizerTrainer.Train(prompts, options), "forward.json");
        byte[] backward = SavedBytes(TokenizerTrainer.Train(Enumerable.Reverse(prompts), options), "backward.json");
        Assert.Equal(forward, backward);
    }

    [Fact]
    public void PiecesAreOrderedByCountThenOrdinally()
    {
        string[] corpus = ["bb aa cc cc cc", "bb aa cc", "Z"];
        var tokenizer = TokenizerTrainer.Train(corpus, new TokenizerOptions { MinCount = 1 });
        // " cc" x4; "bb" and " aa" tie at 2 and ' ' sorts before 'b'; single ASCII "Z" is a byte token.
        Assert.Equal([" cc", " aa", "bb"], tokenizer.Pieces);
    }

    [Fact]
    public void OrdinalTieBreakIsCultureIndependent()
    {
        string[] corpus = ["apple Banana"];
        var tokenizer = TokenizerTrainer.Train(corpus, new TokenizerOptions { MinCount = 1 });
        Assert.Equal([" Banana", "apple"], tokenizer.Pieces); // ' ' (0x20) sorts before 'a'
        var upperFirst = TokenizerTrainer.Train(["zed Zed"], new TokenizerOptions { MinCount = 1 });
        Assert.Equal([" Zed", "zed"], upperFirst.Pieces);
        var letters = TokenizerTrainer.Train(["ab Ab"], new TokenizerOptions { MinCount = 1, ForcedPieces = ["ba", "Ba"] });
        Assert.Equal(["Ba", "ba", " Ab", "ab"], letters.Pieces); // forced first, 'B' (0x42) before 'b' (0x62)
    }

    [Fact]
    public void VocabularyBudgetIsRespectedAndFilled()
    {
        var small = TokenizerTestCorpus.Trained(new TokenizerOptions { MaxVocabSize = 280, MinCount = 1 });
        Assert.Equal(280, small.VocabSize);
        var large = TokenizerTestCorpus.Trained(new TokenizerOptions { MaxVocabSize = 5000, MinCount = 1 });
        int distinct = TokenizerTestCorpus.Prompts(400).SelectMany(p => PreTokenizer.Split(p))
            .Where(p => p.Length > 1).Distinct().Count();
        Assert.Equal(distinct, large.Pieces.Count);
        Assert.Equal(small.Pieces, large.Pieces.Take(small.Pieces.Count)); // the most frequent come first
    }

    [Fact]
    public void PiecesBelowMinCountAreNotLearned()
    {
        string[] corpus = ["common common common rare"];
        var tokenizer = TokenizerTrainer.Train(corpus, new TokenizerOptions { MinCount = 2 });
        Assert.Equal([" common"], tokenizer.Pieces);
        Assert.True(tokenizer.Encode(" rare").Length > 1);
    }

    [Fact]
    public void ForcedPiecesComeFirstWhateverTheirCount()
    {
        var tokenizer = TokenizerTrainer.Train(["word word word"], new TokenizerOptions
        {
            MinCount = 1,
            ForcedPieces = ["never_seen", "5", "never_seen", " also_never"],
        });
        Assert.Equal([" also_never", "never_seen", " word", "word"], tokenizer.Pieces);
    }

    [Fact]
    public void ForcedPiecesThatAreNotOnePieceAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            TokenizerTrainer.Train([], new TokenizerOptions { ForcedPieces = ["ok_piece", "two words"] }));
        Assert.Contains("ForcedPieces[1]", error.Message);
        Assert.Contains("\"two\" | \" words\"", error.Message);
        Assert.Throws<ArgumentException>(() => TokenizerTrainer.Train([], new TokenizerOptions { ForcedPieces = ["price1"] }));
    }

    [Fact]
    public void BudgetTooSmallForTheFixedTokensIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            TokenizerTrainer.Train([], new TokenizerOptions { MaxVocabSize = 264, ForcedPieces = ["one_piece", "two_piece"] }));
        Assert.Contains("MaxVocabSize 264", error.Message);
    }

    [Fact]
    public void ClashingExtraSpecialTokenIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            TokenizerTrainer.Train([], new TokenizerOptions { ExtraSpecialTokens = [SpecialTokens.Eos] }));
        Assert.Contains("ExtraSpecialTokens[0] \"<|eos|>\" appears twice", error.Message);
    }
}
