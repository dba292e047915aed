using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Tests.Tokenization.Training;

namespace SelfInterp.Engine.Tests.Tokenization;

public class TokenizerEncodingTests
{
    private static readonly Tokenizer Trained = TokenizerTestCorpus.Trained(new TokenizerOptions
    {
        MaxVocabSize = 400,
        ForcedPieces = ["brand_new_attribute", " brand_new_attribute", "日本"],
    });

    [Fact]
    public void AwkwardStringsRoundTripExactly()
    {
        foreach (string text in TokenizerTestCorpus.Awkward)
            Assert.Equal(text, Trained.Decode(Trained.Encode(text)));
    }

    [Fact]
    public void RandomStringsRoundTripExactly()
    {
        foreach (string text in TokenizerTestCorpus.RandomStrings(2000, seed: 7))
            Assert.Equal(text, Trained.Decode(Trained.Encode(text)));
    }

    [Fact]
    public void LearnsTheCorpusWordsAsSingleTokens()
    {
        foreach (string word in new[] { "natural_light", " natural_light", "Which", " apartment", " options" })
        {
            Assert.True(Trained.TryGetId(word, out int id), $"\"{word}\" not learned");
            Assert.Equal([id], Trained.Encode(word));
        }
    }

    [Fact]
    public void EveryPieceAndAsciiCharacterEncodesToItsOwnId()
    {
        for (int id = Trained.FirstPieceId; id < Trained.VocabSize; id++)
            Assert.Equal([id], Trained.Encode(Trained.TokenText(id)));
        for (int b = 0; b < 128; b++)
            Assert.Equal([Trained.FirstByteId + b], Trained.Encode(((char)b).ToString()));
    }

    [Theory]
    [InlineData("1234567890")]
    [InlineData("-0.05")]
    [InlineData("1e-3")]
    [InlineData("price: 100")]
    public void DigitsAreAlwaysOneTokenEach(string text)
    {
        int[] ids = Trained.Encode(text);
        int digitsInText = text.Count(char.IsAsciiDigit);
        var digitTokens = ids.Select(Trained.TokenText).Where(t => t.Any(char.IsAsciiDigit)).ToList();
        Assert.Equal(digitsInText, digitTokens.Count);
        Assert.All(digitTokens, t => Assert.Equal(1, t.Length));
    }

    [Fact]
    public void ForcedPiecesAreOneTokenThoughAbsentFromTheCorpus()
    {
        Assert.Single(Trained.Encode("brand_new_attribute"));
        Assert.Single(Trained.Encode(" brand_new_attribute"));
        Assert.Single(Trained.Encode("日本"));
        Assert.True(Trained.TryGetId("brand_new_attribute", out int id));
        Assert.Equal("brand_new_attribute", Trained.TokenText(id));
        Assert.Equal(4, Trained.Encode("{\"brand_new_attribute\"").Length);
    }

    [Fact]
    public void UnknownWordsFallBackToKnownPiecesAndBytes()
    {
        const string text = "natural_lightxq Zürich 😀";
        Assert.False(Trained.TryGetId("natural_lightxq", out _));
        int[] ids = Trained.Encode(text);
        Assert.Equal(text, Trained.Decode(ids));
        Assert.True(Trained.TryGetId("natural_light", out int known));
        Assert.Equal(known, ids[0]); // the longest known piece the word starts with
        int highBytes = ids.Count(id => id >= Trained.FirstByteId + 0x80 && id < Trained.FirstPieceId);
        Assert.Equal(2 + 4, highBytes); // ü is 2 UTF-8 bytes, 😀 is 4
    }

    [Fact]
    public void LongUnknownWordsEncodeQuicklyAndRoundTrip()
    {
        var tokenizer = TokenizerTestCorpus.Trained(new TokenizerOptions { ForcedPieces = [new string('q', 500)] });
        string text = string.Concat(Enumerable.Repeat("natural_lightqqqpricé", 2000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int[] ids = tokenizer.Encode(text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void ConcurrentEncodingMatchesSequential()
    {
        List<string> prompts = TokenizerTestCorpus.Prompts(2000);
        int[][] sequential = prompts.Select(Trained.Encode).ToArray();
        int[][] parallel = new int[prompts.Count][];
        Parallel.For(0, prompts.Count, i => parallel[i] = Trained.Encode(prompts[i]));
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void SingleAsciiCharactersAreTheirByteTokens()
    {
        Assert.True(Trained.TryGetId("{", out int id));
        Assert.Equal(Trained.FirstByteId + '{', id);
        Assert.Equal("{", Trained.TokenText(id));
        Assert.Equal("<0xE2>", Trained.TokenText(Trained.FirstByteId + 0xE2));
    }

    [Fact]
    public void PlainTextNeverProducesSpecialTokens()
    {
        foreach (string text in TokenizerTestCorpus.Awkward.Concat(TokenizerTestCorpus.RandomStrings(500, seed: 3)))
            Assert.DoesNotContain(Trained.Encode(text), Trained.IsSpecial);
        Assert.Equal("<|eos|>", Trained.Decode(Trained.Encode("<|eos|>")));
        Assert.False(Trained.TryGetId("<|eos|>", out _));
    }

    [Fact]
    public void EncodeWithSpecialTokensRecognisesThemAndOnlyThem()
    {
        const string chat = "<|system|>Be brief.<|end|><|user|>Pick A or B<|end|><|assistant|>A<|end|><|eos|>";
        int[] ids = Trained.EncodeWithSpecialTokens(chat);
        Assert.Equal(Trained.SystemId, ids[0]);
        Assert.Equal(Trained.EosId, ids[^1]);
        Assert.Equal(
            [Trained.SystemId, Trained.EndId, Trained.UserId, Trained.EndId, Trained.AssistantId, Trained.EndId, Trained.EosId],
            ids.Where(Trained.IsSpecial));
        Assert.Equal(chat, Trained.Decode(ids));
        Assert.Equal(Trained.Encode("<|eos"), Trained.EncodeWithSpecialTokens("<|eos"));
    }

    [Fact]
    public void ExtraSpecialTokensGetIdsAfterTheStandardOnes()
    {
        var tokenizer = TokenizerTestCorpus.Trained(new TokenizerOptions { MaxVocabSize = 300, ExtraSpecialTokens = ["<|choice|>"] });
        Assert.True(tokenizer.TryGetSpecialId("<|choice|>", out int id));
        Assert.Equal(SpecialTokens.Standard.Count, id);
        Assert.Equal(SpecialTokens.Standard.Count + 1, tokenizer.FirstByteId);
        Assert.Equal([id], tokenizer.EncodeWithSpecialTokens("<|choice|>"));
        Assert.DoesNotContain(id, tokenizer.Encode("<|choice|>"));
    }

    [Fact]
    public void SpanEncodeAppendsTheSameTokens()
    {
        var ids = new List<int> { -1 };
        Trained.Encode("{\"price\": 100}".AsSpan(), ids);
        Assert.Equal([-1, .. Trained.Encode("{\"price\": 100}")], ids);
    }

    [Fact]
    public void UnpairedSurrogatesAreRejectedNotCorrupted()
    {
        var error = Assert.Throws<ArgumentException>(() => Trained.Encode("bad \uD800 text"));
        Assert.Contains("unpaired surrogate", error.Message);
        var ids = new List<int> { 42 };
        Assert.Throws<ArgumentException>(() => Trained.Encode("ok \uDC00".AsSpan(), ids));
        Assert.Equal([42], ids);
    }

    [Fact]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Trained.Decode([0, Trained.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trained.Decode([-1]));
    }

    [Fact]
    public void PartialUtf8DecodesToReplacementCharacter() =>
        Assert.Equal("\uFFFD", Trained.Decode([Trained.FirstByteId + 0xE2]));
}
