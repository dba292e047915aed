using System.Globalization;
using System.Text.RegularExpressions;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Tasks;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Experiments.Preferences.Prompts;

public enum PromptKind { Decision, Report }

/// <summary>A prompt read back into what it shows.</summary>
public sealed record ReadPrompt(PromptKind Kind, int Scenario, string Role, Trial Trial);

/// <summary>
/// Reads a rendered prompt back into its scenario and trial, by inverting the templates. Local models see
/// prompts only as text when they arrive over the HTTP API or in a fine-tuning file; this is how such a model
/// recovers the values it renders in its own way, and how the simulated observer answers text-only prompts.
/// </summary>
public sealed class PromptReader
{
    private readonly ScenarioCatalog _catalog;
    private readonly Regex _decision, _report, _optionLine;
    private readonly Dictionary<string, List<int>> _byQuestion = new(StringComparer.Ordinal);

    public PromptReader(ScenarioCatalog catalog, PromptTemplates templates)
    {
        _catalog = catalog;
        _decision = TemplateRegex(templates.Decision);
        _report = TemplateRegex(templates.Report);
        _optionLine = TemplateRegex(templates.OptionLine.TrimEnd());
        for (int i = 0; i < catalog.Scenarios.Count; i++)
        {
            if (!_byQuestion.TryGetValue(catalog.Scenarios[i].Question, out var ids)) _byQuestion[catalog.Scenarios[i].Question] = ids = [];
            ids.Add(i);
        }
    }

    private static Regex TemplateRegex(string template)
    {
        var pattern = Regex.Escape(template);
        foreach (var (placeholder, group) in new[]
                 {
                     ("role", "(?<role>.*?)"), ("question", "(?<question>.*?)"),
                     ("options_a", "(?<a>.*?)"), ("options_b", "(?<b>.*?)"), ("attribute_names", "(?<names>.*?)"),
                     ("name", "(?<name>[a-z][a-z0-9_]*)"), ("value", "(?<value>-?[0-9]+(?:\\.[0-9]+)?)"), ("units", "(?<units>.*?)"),
                 })
            pattern = pattern.Replace(Regex.Escape("{" + placeholder + "}"), group);
        return new Regex("^" + pattern + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>Reads the last user message of <paramref name="prompt"/>; false if it is not one of our prompts.</summary>
    public bool TryRead(ChatPrompt prompt, out ReadPrompt result)
    {
        result = null!;
        var user = prompt.Messages.LastOrDefault(m => m.Role == "user");
        if (user is null) return false;
        var text = user.Content.Replace("\r\n", "\n");
        PromptKind kind;
        Match m = _decision.Match(text);
        if (m.Success) kind = PromptKind.Decision;
        else if ((m = _report.Match(text)).Success) kind = PromptKind.Report;
        else return false;

        var question = m.Groups["question"].Value;
        if (!_byQuestion.TryGetValue(question, out var candidates))
        {
            // A role with ". " in it ("Dr. Watson") ends the lazy role group early; the question group then
            // starts with the role's tail, so look for the catalog question it ends with.
            var key = _byQuestion.Keys.Where(q => question.EndsWith(" " + q, StringComparison.Ordinal)).MaxBy(q => q.Length);
            if (key is null) return false;
            candidates = _byQuestion[key];
        }
        if (!TryLines(m.Groups["a"].Value, out var a) || !TryLines(m.Groups["b"].Value, out var b)) return false;
        foreach (int id in candidates)
        {
            var s = _catalog.Scenarios[id];
            if (a.Count != Scenario.AttributeCount || b.Count != Scenario.AttributeCount) return false;
            bool names = true;
            for (int i = 0; i < Scenario.AttributeCount; i++)
                names &= a[i].Name == s.Attributes[i].Name && b[i].Name == s.Attributes[i].Name;
            if (!names) continue;
            result = new ReadPrompt(kind, id, m.Groups["role"].Value,
                new Trial(id, a.Select(x => x.Value).ToArray(), b.Select(x => x.Value).ToArray()));
            return true;
        }
        return false;
    }

    private bool TryLines(string block, out List<(string Name, double Value)> lines)
    {
        lines = [];
        foreach (var line in block.Split('\n'))
        {
            var m = _optionLine.Match(line);
            if (!m.Success || !double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return false;
            lines.Add((m.Groups["name"].Value, v));
        }
        return true;
    }
}
