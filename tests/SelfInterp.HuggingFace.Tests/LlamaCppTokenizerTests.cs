using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>Our tokenizer.json reading (Microsoft.ML.Tokenizers' BPE under the family's pre-tokenizer) against
/// llama.cpp's own tokenizer on the same vocabulary and merges, written into the GGUF.</summary>
public sealed class LlamaCppTokenizerTests
{
    /// <summary>Texts that exercise the pre-tokenizers: contractions, digit runs (Llama 3 groups by three, Qwen2
    /// splits), punctuation runs, newlines, runs of spaces, accents (NFC vs decomposed), other scripts, emoji.</summary>
    public static readonly string[] Texts =
    [
        "Which condo would you prefer? Imagine you are Gilgamesh.",
        "Option A has 7 hours of sun per day and costs 1250 dollars; 12345678 trials.",
        "They'll say it's fine, but we've DON'T and I'M sure.",
        "line one\nline two\n\n  indented   spaces\t\ttabs  \n",
        "Il préfère le café au lait; naïve façade (and cafe\u0301 decomposed).",
        "東京 and Ελληνικά, 😀 emoji!!! ... --- ??? {\"json\": [1, 2.5]}",
        "   leading spaces and trailing   ",
        "",
    ];

    public static TheoryData<string> Families => new() { "qwen2", "llama" };

    [Theory]
    [MemberData(nameof(Families))]
    public void PlainTextTokensMatchLlamaCpp(string family)
    {
        var (fixture, tokenizer, llama, dir) = Open(family);
        using (dir)
        using (llama)
        {
            // The merges are in use: the vocabulary's own text takes under two tokens for three bytes.
            Assert.True(tokenizer.Encode(Texts[0]).Length * 3 < 2 * System.Text.Encoding.UTF8.GetByteCount(Texts[0]), $"{tokenizer.Encode(Texts[0]).Length} tokens");
            foreach (var text in Texts)
            {
                var ours = tokenizer.Encode(text);
                Assert.Equal(llama.Tokenize(text, special: false), ours);
                // Qwen2's tokenizer normalises to NFC first; decoding gives back the (normalised) text.
                Assert.Equal(family == "qwen2" ? text.Normalize(System.Text.NormalizationForm.FormC) : text, tokenizer.Decode(ours));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void SpecialTokensInTextMatchLlamaCpp(string family)
    {
        var (fixture, tokenizer, llama, dir) = Open(family);
        using (dir)
        using (llama)
            foreach (var special in fixture.Spec.SpecialTokens)
            {
                string text = $"{special}user\nHello there{special}\n";
                var ours = tokenizer.EncodeWithSpecialTokens(text);
                Assert.Equal(llama.Tokenize(text, special: true), ours);
                Assert.Contains(fixture.Vocabulary.ToList().IndexOf(special), ours);
                // As plain text, a special token's characters are ordinary text.
                Assert.DoesNotContain(fixture.Vocabulary.ToList().IndexOf(special), tokenizer.Encode(text));
            }
    }

    static (RandomHfModel, HfTokenizer, LlamaCpp, TempDirectory) Open(string family)
    {
        var fixture = new RandomHfModel(family == "qwen2" ? TinyModelSpec.QwenTied : TinyModelSpec.LlamaUntied);
        var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        var llama = new LlamaCpp(GgufWriter.Write(fixture, dir["model.gguf"]));
        return (fixture, HfTokenizer.Load(dir["hf"]), llama, dir);
    }
}
