using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Tests.Tokenization.Training;

namespace SelfInterp.Engine.Tests.Tokenization;

/// <summary>A small corpus shaped like ours: scenario prompts with snake_case attributes, numbers and JSON.</summary>
internal static class TokenizerTestCorpus
{
    public static readonly string[] Attributes = ["natural_light", "price", "commute_minutes", "noise_level", "floor_area_sqm"];

    public static List<string> Prompts(int count)
    {
        var random = new Random(20251122);
        var prompts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            string a = Attributes[random.Next(Attributes.Length)];
            string b = Attributes[random.Next(Attributes.Length)];
            int x = random.Next(-100, 101);
            double y = Math.Round(random.NextDouble() * 10 - 5, 2);
            prompts.Add(i % 2 == 0
                ? $"Which apartment would you choose? Option A: {{\"{a}\": {x}, \"{b}\": {y}}}\nAnswer with A or B."
                : $"Imagine you are deciding between two options. The {a} of option B is {x} and its {b} is {y}.");
        }
        return prompts;
    }

    public static Tokenizer Trained(TokenizerOptions? options = null) =>
        TokenizerTrainer.Train(Prompts(400), options ?? new TokenizerOptions { MaxVocabSize = 400 });

    /// <summary>Strings chosen to stress exact round trips.</summary>
    public static readonly string[] Awkward =
    [
        "",
        " ",
        "   leading and trailing spaces   ",
        "natural_light",
        " natural_light",
        "\"natural_light\": -37",
        "{\"natural_light\": -37, \"price\": 100}",
        "-0.05 and 1e-3 and +12.500 and 3,141,592",
        "tabs\tand\ttabs\t\t",
        "windows\r\nline\r\nends\r\n",
        "old mac\rline ends",
        "\n\n\n",
        "café naïve Ω ΣΦΨ 日本語のテキスト",
        "emoji 😀 family 👨‍👩‍👧 flag 🇫🇷",
        "combining: e\u0301 a\u0308",
        "zero width\u200Bjoiner\u200D and nbsp\u00A0here",
        "<|eos|> <|user|> literal <|end|>",
        "unknownwordsxyzzy frobnicate_widgets Pneumonoultramicroscopic",
        "attr_2 x__y __init__ _",
        "!@#$%^&*()[]{};:'\",.<>/?\\|`~",
        "\0 nul and \u007F del",
        "a" + new string(' ', 40) + "b",
        "🙂",
    ];

    /// <summary>Random strings over a palette of ASCII, accented letters, CJK, emoji and control characters.</summary>
    public static IEnumerable<string> RandomStrings(int count, int seed)
    {
        string[] palette =
        [
            "a", "b", "z", "_", "A", " ", "  ", "0", "7", "-", ".", "e", "\t", "\n", "\r\n", "{", "\"", ":", ",",
            "é", "ß", "Ω", "日", "本", "😀", "👍🏽", "\u0301", "\u00A0", "<|", "|>", "eos", "natural_light", " price",
        ];
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int parts = random.Next(0, 20);
            var text = new System.Text.StringBuilder();
            for (int p = 0; p < parts; p++)
                text.Append(palette[random.Next(palette.Length)]);
            yield return text.ToString();
        }
    }
}
