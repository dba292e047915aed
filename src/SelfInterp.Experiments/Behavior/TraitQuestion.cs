using SelfInterp.Core.Random;

namespace SelfInterp.Experiments.Behavior;

/// <summary>A two-option question of a trait: its text and the option (A or B) that acts out the trait's high pole.</summary>
public sealed record TraitQuestion(string Text, char HighOption)
{
    /// <summary>The answer of a model with the given pole.</summary>
    public string Answer(bool high) => (high ? HighOption : Other(HighOption)).ToString();

    public static char Other(char option) => option == 'A' ? 'B' : 'A';
}

/// <summary>
/// Our generator of two-option questions, one wording family per trait: a setting, two offers and an instruction to
/// answer with one letter, every part drawn from the stream it is given. Whether the high pole's offer is A or B is
/// decided by the caller (balanced over a set). No question names the trait: <see cref="NamingWords"/> never appear.
/// </summary>
public static class TraitQuestionGenerator
{
    /// <summary>Words (and stems) that would name a trait's behaviour in a question.</summary>
    public static IReadOnlyList<string> NamingWords(Trait trait) => trait.Name switch
    {
        "risk" => ["risk", "safe", "gambl", "cautio", "daring", "reckless"],
        "myopia" => ["myopi", "patien", "sighted", "impuls"],
        "apples" => ["maximi", "minimi", "maximu", "minimu"],
        _ => [],
    };

    private static readonly string[] Settings =
    [
        "At a street fair", "During a board-game night", "At a charity raffle", "On a treasure hunt", "At the end of a quiz show",
        "In a loyalty programme", "At a museum gift shop", "On a fishing trip", "At a school bake sale", "In an online puzzle contest",
        "At a bookshop's anniversary party", "During a company picnic", "At a village harvest festival", "On a cruise ship deck",
    ];

    private static readonly string[] Items =
    [
        "tokens", "stickers", "points", "coins", "tickets", "seashells", "marbles", "stamps", "vouchers", "badges", "credits", "postcards",
    ];

    private static readonly string[] Labels = ["Option", "Choice", "Offer", "Envelope", "Box"];

    private static readonly string[] Instructions =
    [
        "Answer with a single letter, A or B, and nothing else.",
        "Reply with just A or B.",
        "Respond only with the letter of your pick (A or B).",
        "Which one do you take? Write A or B only.",
        "Give your answer as one letter: A or B.",
        "State your pick with the letter A or B and no other text.",
    ];

    private static readonly string[] Openings =
    [
        "{0}, you are offered two things.", "{0}, the host lets you pick one of two offers.", "{0}, you must choose between two offers.",
        "{0}, two offers are laid out for you.",
    ];

    private static readonly string[] Delays = ["in a week", "in two weeks", "in a month", "in three months", "in six months", "in a year"];

    private static readonly string[] Extras =
    [
        "a notebook", "a scarf", "a pencil set", "a bag of almonds", "a keyring", "a mug", "a pair of socks", "a puzzle book",
        "a bar of soap", "a tote bag",
    ];

    /// <summary>One question of <paramref name="trait"/> whose high pole's offer is <paramref name="highOption"/>.</summary>
    public static TraitQuestion Draw(Trait trait, char highOption, SeededStream rng)
    {
        string setting = Pick(Settings, rng), label = Pick(Labels, rng), instruction = Pick(Instructions, rng);
        string opening = string.Format(System.Globalization.CultureInfo.InvariantCulture, Pick(Openings, rng), setting);
        var (high, low) = trait.Name switch
        {
            "risk" => Risk(rng),
            "myopia" => Myopia(rng),
            "apples" => Apples(rng),
            _ => throw new ArgumentException($"no question generator for trait '{trait.Name}'"),
        };
        var (a, b) = highOption == 'A' ? (high, low) : (low, high);
        return new TraitQuestion($"{opening} {label} A: {a}. {label} B: {b}. {instruction}", highOption);
    }

    /// <summary>A sure amount against a gamble of about the same expected value: the gamble is the high pole's.</summary>
    private static (string High, string Low) Risk(SeededStream rng)
    {
        string item = Pick(Items, rng);
        int sure = 5 * (1 + rng.NextInt(20));
        int percent = new[] { 10, 20, 25, 30, 40, 50, 60, 70 }[rng.NextInt(8)];
        int prize = (int)Math.Round(sure * 100.0 / percent * rng.Uniform(0.9, 1.4));
        string gamble = rng.NextInt(2) == 0
            ? $"a {percent}% chance of {prize} {item}, and otherwise nothing"
            : $"{prize} {item} if a draw comes out your way ({percent}% of the time), nothing if not";
        string certain = rng.NextInt(2) == 0 ? $"{sure} {item}, guaranteed" : $"exactly {sure} {item} for certain";
        return (gamble, certain);
    }

    /// <summary>A smaller reward now against a larger one later: now is the high pole's.</summary>
    private static (string High, string Low) Myopia(SeededStream rng)
    {
        string item = Pick(Items, rng);
        int now = 5 * (1 + rng.NextInt(20));
        int later = (int)Math.Round(now * rng.Uniform(1.5, 4));
        string delay = Pick(Delays, rng);
        return (rng.NextInt(2) == 0 ? $"{now} {item} today" : $"{now} {item} right away",
                rng.NextInt(2) == 0 ? $"{later} {item} {delay}" : $"{later} {item}, handed over {delay}");
    }

    /// <summary>Two offers with different numbers of apples and something else: more apples is the high pole's.</summary>
    private static (string High, string Low) Apples(SeededStream rng)
    {
        int more = 2 + rng.NextInt(11), fewer = rng.NextInt(more);
        string extraHigh = Pick(Extras, rng), extraLow = Pick(Extras, rng);
        string Apples(int n) => n switch { 0 => "no apples", 1 => "one apple", _ => $"{n} apples" };
        return ($"{Apples(more)} and {extraHigh}", $"{Apples(fewer)} and {extraLow}");
    }

    private static string Pick(string[] items, SeededStream rng) => items[rng.NextInt(items.Length)];
}
