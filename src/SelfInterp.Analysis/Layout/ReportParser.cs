using System.Text.Json;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Analysis.Layout;

/// <summary>
/// Reads a weight report: a JSON object with exactly the scenario's five attribute names as keys and numbers
/// as values, optionally inside a code fence. Anything else is a bad report (counted, shown, left out). A report
/// that parses but has a value outside the scale the question asks on is a bad report too (<see cref="TryParseOnScale"/>):
/// the model did not answer the question, and one such value (an organism's saturated ±999) would move a whole slope.
/// </summary>
public static class ReportParser
{
    /// <summary>The scale the report question asks for (PROTOCOL.md: weights in [−100, 100]).</summary>
    public const double ScaleBound = 100;

    /// <summary>What a good report is, as a stage's bad-report check names it.</summary>
    public const string GoodReport = "a JSON report of the five weights on the scale asked for, −100..100";

    /// <summary>Why a stage's reports are bad when <paramref name="offScale"/> of them parse but are off the scale (null
    /// when none are: then the format is the likely cause).</summary>
    public static string? OffScaleCause(int offScale) => offScale == 0 ? null :
        $"{offScale} of them are reports with a value off the scale (an organism's saturated ±999, or a model answering " +
        "on another scale), which the analysis reads as bad reports, fitting its slopes on the rest.";

    /// <summary>Whether a value is on the scale the report question asks for.</summary>
    public static bool OnScale(double value) => Math.Abs(value) <= ScaleBound;

    /// <summary><see cref="TryParse"/>, and every value on the scale asked for; where one is not, the problem names it.</summary>
    public static bool TryParseOnScale(string reply, Scenario scenario, out double[] weights, out string? problem) =>
        TryParseOnScale(reply, Names(scenario), out weights, out problem);

    /// <summary>The same rule for a report whose keys are <paramref name="names"/> (an organism's behaviour family's
    /// entities); the weights follow their order.</summary>
    public static bool TryParseOnScale(string reply, IReadOnlyList<string> names, out double[] weights, out string? problem)
    {
        if (!TryParse(reply, names, out weights, out problem)) return false;
        int outside = Array.FindIndex(weights, v => !OnScale(v));
        if (outside < 0) return true;
        problem = $"value of '{names[outside]}' is {weights[outside].ToString(System.Globalization.CultureInfo.InvariantCulture)}, outside the scale asked for, −100..100";
        return false;
    }

    public static bool TryParse(string reply, Scenario scenario, out double[] weights, out string? problem) =>
        TryParse(reply, Names(scenario), out weights, out problem);

    /// <summary>A JSON object with exactly <paramref name="names"/> as keys, each once, and numbers as values.</summary>
    public static bool TryParse(string reply, IReadOnlyList<string> names, out double[] weights, out string? problem)
    {
        weights = new double[names.Count];
        var text = StripFence(reply.Trim());
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException) { problem = "not JSON"; return false; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { problem = "not a JSON object"; return false; }
            var found = new bool[names.Count];
            int count = 0;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                count++;
                int i = IndexOf(names, p.Name);
                if (i < 0) { problem = $"unexpected key '{p.Name}'"; return false; }
                if (found[i]) { problem = $"duplicate key '{p.Name}'"; return false; }
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out double v) || !double.IsFinite(v))
                { problem = $"value of '{p.Name}' is not a number"; return false; }
                found[i] = true;
                weights[i] = v;
            }
            if (count != names.Count) { problem = $"expected {names.Count} keys, found {count}"; return false; }
        }
        problem = null;
        return true;
    }

    private static string[] Names(Scenario s) => s.Attributes.Select(a => a.Name).ToArray();

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    private static string StripFence(string text)
    {
        if (!text.StartsWith("```")) return text;
        int firstNewline = text.IndexOf('\n');
        int lastFence = text.LastIndexOf("```", StringComparison.Ordinal);
        if (firstNewline < 0 || lastFence <= firstNewline) return text;
        return text[(firstNewline + 1)..lastFence].Trim();
    }
}
