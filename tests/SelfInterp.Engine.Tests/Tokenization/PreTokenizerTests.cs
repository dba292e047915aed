using SelfInterp.Engine.Tokenization;

namespace SelfInterp.Engine.Tests.Tokenization;

public class PreTokenizerTests
{
    [Theory]
    [InlineData("natural_light", new[] { "natural_light" })]
    [InlineData("the natural_light is", new[] { "the", " natural_light", " is" })]
    [InlineData("-37", new[] { "-", "3", "7" })]
    [InlineData("-0.05", new[] { "-", "0", ".", "0", "5" })]
    [InlineData("1e-3", new[] { "1", "e", "-", "3" })]
    [InlineData("attr_2x", new[] { "attr_", "2", "x" })]
    [InlineData("a   b", new[] { "a", "  ", " b" })]
    [InlineData("a 5", new[] { "a", " ", "5" })]
    [InlineData("end.  ", new[] { "end", ".", "  " })]
    [InlineData("{\"price\": 100}", new[] { "{", "\"", "price", "\"", ":", " ", "1", "0", "0", "}" })]
    [InlineData("a\r\nb", new[] { "a", "\r", "\n", "b" })]
    [InlineData("x😀y", new[] { "x", "😀", "y" })]
    [InlineData(" café", new[] { " café" })]
    public void SplitsAsDocumented(string text, string[] expected) =>
        Assert.Equal(expected, PreTokenizer.Split(text));

    [Fact]
    public void PiecesConcatenateToTheText()
    {
        foreach (string text in TokenizerTestCorpus.Awkward.Concat(TokenizerTestCorpus.RandomStrings(500, seed: 1)))
            Assert.Equal(text, string.Concat(PreTokenizer.Split(text)));
    }

    [Fact]
    public void EveryDigitIsItsOwnPiece()
    {
        foreach (string piece in PreTokenizer.Split("x1234567890y 00 -3.25e10"))
            Assert.True(piece.Length == 1 || !piece.Any(char.IsAsciiDigit), $"piece \"{piece}\" mixes a digit with more");
    }

    [Fact]
    public void EachPieceIsItselfASinglePiece()
    {
        foreach (string text in TokenizerTestCorpus.Awkward)
            foreach (string piece in PreTokenizer.Split(text))
                Assert.True(PreTokenizer.IsSinglePiece(piece), $"\"{piece}\" from \"{text}\"");
    }
}
