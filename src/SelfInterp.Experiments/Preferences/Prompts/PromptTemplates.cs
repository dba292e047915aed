using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Experiments.Preferences.Prompts;

/// <summary>
/// The wording of every prompt, as templates with {placeholders}. Ours by default; a user may supply a JSON file
/// with their own (same keys). Placeholders: {role} {question} {options_a} {options_b} {attribute_names};
/// in option_line: {name} {value} {units}.
/// </summary>
public sealed record PromptTemplates(
    [property: JsonPropertyName("system")] string System,
    [property: JsonPropertyName("decision")] string Decision,
    [property: JsonPropertyName("option_line")] string OptionLine,
    [property: JsonPropertyName("report")] string Report)
{
    public const string EmbeddedName = "SelfInterp.Experiments.Preferences.Prompts.default_prompts.json";

    public static PromptTemplates Default { get; } = LoadEmbedded();

    private static PromptTemplates LoadEmbedded()
    {
        using var s = typeof(PromptTemplates).Assembly.GetManifestResourceStream(EmbeddedName)!;
        using var r = new StreamReader(s);
        return Parse("<embedded>/default_prompts.json", r.ReadToEnd());
    }

    /// <summary>The user's templates from <paramref name="path"/>, or ours when none is given.</summary>
    public static PromptTemplates LoadOrDefault(string? path) => path is null ? Default : Load(path);

    public static PromptTemplates Load(string path) =>
        File.Exists(path) ? Parse(path, File.ReadAllText(path)) : throw new CatalogException([$"{path}: file not found"]);

    public static PromptTemplates Parse(string path, string json)
    {
        PromptTemplates? t;
        try { t = JsonSerializer.Deserialize<PromptTemplates>(json); }
        catch (JsonException e) { throw new CatalogException([$"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}"]); }
        var errors = new List<string>();
        if (t is null) errors.Add($"{path}: expected a JSON object");
        else
        {
            void Need(string field, string? value, params string[] placeholders)
            {
                if (string.IsNullOrWhiteSpace(value)) { errors.Add($"{path}: field '{field}': missing or empty"); return; }
                foreach (var p in placeholders)
                    if (!value.Contains("{" + p + "}")) errors.Add($"{path}: field '{field}': lacks the placeholder {{{p}}}");
            }
            Need("system", t.System);
            Need("decision", t.Decision, "question", "options_a", "options_b");
            Need("option_line", t.OptionLine, "name", "value");
            Need("report", t.Report, "question", "attribute_names");
        }
        return errors.Count == 0 ? t! : throw new CatalogException(errors);
    }

    public string RenderDecision(Scenario scenario, string role, Trial trial) =>
        Fill(Decision, scenario, role, trial);

    public string RenderReport(Scenario scenario, string role, Trial trial) =>
        Fill(Report, scenario, role, trial);

    private string Fill(string template, Scenario scenario, string role, Trial trial) => template
        .Replace("{role}", role)
        .Replace("{question}", scenario.Question)
        .Replace("{options_a}", Options(scenario, trial.A))
        .Replace("{options_b}", Options(scenario, trial.B))
        .Replace("{attribute_names}", string.Join(", ", scenario.Attributes.Select(a => a.Name)));

    private string Options(Scenario scenario, double[] values)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < scenario.Attributes.Count; i++)
        {
            var a = scenario.Attributes[i];
            if (i > 0) sb.Append('\n');
            sb.Append(OptionLine
                .Replace("{name}", a.Name)
                .Replace("{value}", OptionValues.Format(values[i], a))
                .Replace("{units}", a.Units)
                .TrimEnd());
        }
        return sb.ToString();
    }

    /// <summary>The correct answer of a report example: the weights as one JSON object keyed by attribute name.</summary>
    public static string ReportAnswer(Scenario scenario, IReadOnlyList<int> weights)
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < scenario.Attributes.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append('"').Append(scenario.Attributes[i].Name).Append("\": ").Append(weights[i]);
        }
        return sb.Append('}').ToString();
    }
}
