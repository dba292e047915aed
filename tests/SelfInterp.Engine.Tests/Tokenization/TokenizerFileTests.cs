using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Tests.Tokenization.Training;

namespace SelfInterp.Engine.Tests.Tokenization;

public class TokenizerFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tokenizer-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static readonly Tokenizer Trained = TokenizerTestCorpus.Trained(new TokenizerOptions
    {
        MaxVocabSize = 380,
        ForcedPieces = ["日本", "émigré_count"],
        ExtraSpecialTokens = ["<|choice|>"],
    });

    [Fact]
    public void SaveLoadSaveIsByteIdenticalAndEncodesIdentically()
    {
        Trained.Save(PathOf("first.json"));
        Tokenizer loaded = Tokenizer.Load(PathOf("first.json"));
        loaded.Save(PathOf("second.json"));

        Assert.Equal(File.ReadAllBytes(PathOf("first.json")), File.ReadAllBytes(PathOf("second.json")));
        Assert.Equal(Trained.VocabSize, loaded.VocabSize);
        Assert.Equal(Trained.EosId, loaded.EosId);
        foreach (string text in TokenizerTestCorpus.Awkward.Concat(TokenizerTestCorpus.Prompts(50)))
        {
            Assert.Equal(Trained.Encode(text), loaded.Encode(text));
            Assert.Equal(Trained.EncodeWithSpecialTokens(text), loaded.EncodeWithSpecialTokens(text));
        }
    }

    [Fact]
    public void FileIsReadableJsonWithAVersion()
    {
        Trained.Save(PathOf("tokenizer.json"));
        string text = File.ReadAllText(PathOf("tokenizer.json"));
        Assert.StartsWith("{\n  \"format\": \"selfinterp-tokenizer\",\n  \"version\": 1,", text);
        Assert.Contains("\"<|pad|>\"", text);
        Assert.Contains("\"日本\"", text);
        Assert.DoesNotContain("\r", text);
        Assert.False(File.Exists(PathOf("tokenizer.json.tmp")));
    }

    private TokenizerFileException LoadFails(string json)
    {
        string path = PathOf("bad.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<TokenizerFileException>(() => Tokenizer.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        return error;
    }

    private const string Specials = "[\"<|pad|>\",\"<|bos|>\",\"<|eos|>\",\"<|system|>\",\"<|user|>\",\"<|assistant|>\",\"<|end|>\"]";

    [Fact]
    public void ValidMinimalFileLoads()
    {
        File.WriteAllText(PathOf("min.json"), $"{{\"format\":\"selfinterp-tokenizer\",\"version\":1,\"specialTokens\":{Specials},\"pieces\":[\"hello\"]}}");
        Assert.Equal(7 + 256 + 1, Tokenizer.Load(PathOf("min.json")).VocabSize);
    }

    [Fact]
    public void NotJsonIsReportedWithItsLine()
    {
        var error = LoadFails("{\n  \"format\": \"selfinterp-tokenizer\",\n  oops\n}");
        Assert.Null(error.Field);
        Assert.Contains("not valid JSON (line 3", error.Message);
    }

    [Fact]
    public void MissingFieldIsNamed()
    {
        var error = LoadFails($"{{\"format\":\"selfinterp-tokenizer\",\"version\":1,\"specialTokens\":{Specials}}}");
        Assert.Equal("pieces", error.Field);
        Assert.Contains("'pieces': is missing", error.Message);
    }

    [Fact]
    public void WrongVersionIsNamed()
    {
        var error = LoadFails($"{{\"format\":\"selfinterp-tokenizer\",\"version\":2,\"specialTokens\":{Specials},\"pieces\":[]}}");
        Assert.Equal("version", error.Field);
        Assert.Contains("is 2", error.Message);
    }

    [Fact]
    public void WrongFormatIsNamed() =>
        Assert.Equal("format", LoadFails($"{{\"format\":\"hf-tokenizer\",\"version\":1,\"specialTokens\":{Specials},\"pieces\":[]}}").Field);

    [Theory]
    [InlineData("[\"hello\", 5]", "pieces[1]")]
    [InlineData("[\"hello\", \"hello\"]", "pieces[1]")]
    [InlineData("[\"two words\"]", "pieces[0]")]
    [InlineData("[\"x\"]", "pieces[0]")]
    [InlineData("[\"\"]", "pieces[0]")]
    [InlineData("\"hello\"", "pieces")]
    public void BadPieceIsNamedWithItsIndex(string pieces, string field) =>
        Assert.Equal(field, LoadFails($"{{\"format\":\"selfinterp-tokenizer\",\"version\":1,\"specialTokens\":{Specials},\"pieces\":{pieces}}}").Field);

    [Fact]
    public void MissingStandardSpecialTokenIsNamed() =>
        Assert.Equal("specialTokens[2]",
            LoadFails("{\"format\":\"selfinterp-tokenizer\",\"version\":1,\"specialTokens\":[\"<|pad|>\",\"<|bos|>\"],\"pieces\":[]}").Field);

    [Fact]
    public void TopLevelMustBeAnObject() => Assert.Contains("JSON object", LoadFails("[1,2]").Message);
}
