using SelfInterp.Engine.HuggingFace;
using SelfInterp.HuggingFace.Tests.Fixtures;

namespace SelfInterp.HuggingFace.Tests;

/// <summary>Our chat formats against llama.cpp's built-in templates of the same names (text), and the tokens of a
/// formatted chat against llama.cpp's tokenizer reading the same text with special tokens.</summary>
public sealed class ChatFormatTests
{
    static readonly ChatMessage[] Chat =
    [
        new("system", "You are a careful assistant."),
        new("user", "  Which condo would you prefer?\nAnswer A or B.  "),
        new("assistant", "A"),
        new("user", "Report your weights as JSON."),
    ];

    [Theory]
    [InlineData("qwen2", "chatml", true)]
    [InlineData("qwen2", "chatml", false)]
    [InlineData("llama", "llama3", true)]
    [InlineData("llama", "llama3", false)]
    public void FormatMatchesLlamaCppBuiltInTemplate(string family, string template, bool generationPrompt)
    {
        var fixture = new RandomHfModel(family == "qwen2" ? TinyModelSpec.QwenTied : TinyModelSpec.LlamaUntied);
        using var dir = new TempDirectory();
        fixture.WriteHf(dir["hf"]);
        var tokenizer = HfTokenizer.Load(dir["hf"]);
        var format = ChatFormat.For(family == "qwen2" ? HfFamily.Qwen2 : HfFamily.Llama, tokenizer);
        Assert.Equal(template, format.Name);

        string ours = format.Render(Chat, generationPrompt);
        string theirs = LlamaCpp.ApplyTemplate(template, Chat.Select(m => (m.Role, m.Content)), generationPrompt);
        Assert.Equal(theirs, ours);

        using var llama = new LlamaCpp(GgufWriter.Write(fixture, dir["model.gguf"]));
        var tokens = format.Encode(Chat, generationPrompt);
        var expected = llama.Tokenize(theirs, special: true);
        if (family == "llama") expected = [fixture.Vocabulary.ToList().IndexOf("<|begin_of_text|>"), .. expected];
        Assert.Equal(expected, tokens);
        Assert.Contains(fixture.Vocabulary.ToList().IndexOf(fixture.Spec.Eos), format.StopTokens);
    }
}
